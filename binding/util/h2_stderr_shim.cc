// Link shim for Debian's libnghttp2.a, whose objects are built without -fPIC.
//
// Every object the session engine pulls in links into a shared object except
// nghttp2_map.o: its debug printer (nghttp2_map_print, never called) reads
// libc's `stderr` through a PC-relative relocation, which a shared object
// cannot carry for a symbol defined in another DSO ("relocation R_X86_64_PC32
// against symbol `stderr@@GLIBC_2.2.5' can not be used when making a shared
// object"). Defining a hidden `stderr` here makes that reference resolve
// inside the addon; it is pointed at libc's stream when the addon loads.
//
// The stream is glibc's `_IO_2_1_stderr_` (what its `stderr` points at),
// referenced through the GOT: no dlsym, so the addon still needs nothing
// newer than GLIBC_2.17.
//
// This translation unit must not include <stdio.h>/<cstdio>.
extern "C" {
extern char _IO_2_1_stderr_[];  // glibc's FILE for fd 2
__attribute__((visibility("hidden"))) void *stderr = _IO_2_1_stderr_;
}
