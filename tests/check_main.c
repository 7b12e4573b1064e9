/*
 * check_main.c — runs every suite. Each tests/check_<name>.c defines
 * Suite *<name>_suite(void); the Makefile lists them in suites.h.
 */
#include <check.h>
#include <stdlib.h>

#include "suites.h"

typedef Suite *(*suite_fn)(void);

int main(void)
{
    static const suite_fn suites[] = {THETA_SUITES NULL};
    SRunner *sr = srunner_create(NULL);
    for (size_t i = 0; suites[i]; i++)
        srunner_add_suite(sr, suites[i]());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
