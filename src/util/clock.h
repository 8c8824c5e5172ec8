/* clock.h: the shell's clocks (the pure core never reads one: time reaches it as arguments). */
#ifndef SRM_UTIL_CLOCK_H
#define SRM_UTIL_CLOCK_H

#include <stdint.h>

/* Wall-clock milliseconds since the Unix epoch (CLOCK_REALTIME). */
int64_t clock_wall_ms(void);
/* Monotonic nanoseconds (CLOCK_MONOTONIC): for latencies and intervals. */
uint64_t clock_mono_ns(void);

#endif
