/*
 * spdylay_int.h - definitions shared by all library modules.
 */
#ifndef SPDYLAY_INT_H
#define SPDYLAY_INT_H

#include <spdylay/spdylay.h>

/* Evaluates to nonzero if |rv| is a fatal library error. */
#define spdylay_is_fatal(rv) ((rv) < SPDYLAY_ERR_FATAL)

#define SPDYLAY_UNUSED(x) ((void)(x))

#endif /* SPDYLAY_INT_H */
