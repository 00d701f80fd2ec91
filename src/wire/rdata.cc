#include "wire/rdata.h"
