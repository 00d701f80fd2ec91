#include "wire/rrtype.h"
