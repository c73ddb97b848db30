/*
 * spdylayver.h - version of this spdylay-compatible library.
 *
 * Part of the clean-room SPDY library of the spdylay npm package.
 */
#ifndef SPDYLAYVER_H
#define SPDYLAYVER_H

/**
 * The version of the spdylay API this library implements, as a string.
 */
#define SPDYLAY_VERSION "1.4.0"

/**
 * The same version as a number: 0xMMmmpp (major, minor, patch).
 */
#define SPDYLAY_VERSION_NUM 0x010400

#endif /* SPDYLAYVER_H */
