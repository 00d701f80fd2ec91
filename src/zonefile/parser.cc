// zone file parser: see parser.h
