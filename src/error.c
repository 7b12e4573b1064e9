/* error.c — the thread-local last-error message. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

static _Thread_local char last_error[512];

const char *theta_last_error(void)
{
    return last_error;
}

/* Formats into a scratch buffer first: callers may wrap the previous
 * message (theta__fail(st, "%s: %s", path, theta_last_error())), and
 * vsnprintf must not read the buffer it is writing. */
theta_status theta__fail(theta_status status, const char *fmt, ...)
{
    char msg[sizeof last_error];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    memcpy(last_error, msg, sizeof last_error);
    return status;
}
