// zone content checks
