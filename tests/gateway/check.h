/* check.h: the gateway tests' CHECK: count a check, report a failed one with its place, go on. */
#ifndef SRM_TESTS_GATEWAY_CHECK_H
#define SRM_TESTS_GATEWAY_CHECK_H

#include <stdio.h>

static int checks, failures;

#define CHECK(c)                                                                        \
	do {                                                                            \
		checks++;                                                               \
		if (!(c)) {                                                             \
			failures++;                                                     \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #c); \
		}                                                                       \
	} while (0)

#endif
