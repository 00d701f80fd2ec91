#include "wire/message.h"
