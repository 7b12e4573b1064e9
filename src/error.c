/* error.c — the thread-local last-error message. */
#include "internal.h"

#include <stdio.h>

static _Thread_local char last_error[512];

const char *theta_last_error(void)
{
    return last_error;
}

theta_status theta__fail(theta_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    return status;
}
