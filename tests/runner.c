/*
 * runner.c — the Check runner, built twice: build/check_unit runs the suites
 * of tests/unit/ (the library alone) and build/check_cli those of tests/cli/
 * (they run the theta binary named by THETA_BIN). Each tests/<kind>/check_<name>.c
 * defines Suite *<name>_suite(void), created as suite "<name>"; the Makefile
 * lists them in <kind>/suites.h and names the runner in TU_RUNNER.
 *
 * CK_RUN_SUITE=<name> selects one suite (Check's own variable). A runner
 * that has no suite of that name runs nothing and exits with
 * TU_NO_SUCH_SUITE, so tests/run-suites.sh can tell "not in this runner"
 * from a failure, and a name that is in neither runner from both.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"

#define TU_NO_SUCH_SUITE 3

typedef Suite *(*suite_fn)(void);

int main(void)
{
    static const suite_fn suites[] = {THETA_SUITES NULL};
    static const char *const names[] = {THETA_SUITE_NAMES NULL};
    const char *only = getenv("CK_RUN_SUITE");
    if (only && *only) {
        size_t i = 0;
        while (names[i] && strcmp(names[i], only) != 0)
            i++;
        if (!names[i]) {
            printf("%s: no suite '%s' here\n", TU_RUNNER, only);
            return TU_NO_SUCH_SUITE;
        }
    }
    SRunner *sr = srunner_create(NULL);
    for (size_t i = 0; suites[i]; i++)
        srunner_add_suite(sr, suites[i]());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
