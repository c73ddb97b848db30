// Definitions the addon links into itself so that the binary needs no libstdc++
// newer than GCC 5's (GLIBCXX_3.4.21, CXXABI_1.3.9): GCC 11+ headers call
// these from inline code, and libstdc++ exports them only at GLIBCXX_3.4.29.
// binding/exports.map keeps them (and every other symbol but the two N-API
// entry points) local, so they never interpose on the process's libstdc++.
// test/package-abi.test.ts reads the version needs of the built binaries.
#include <new>
#include <stdexcept>

namespace std {

// Thrown by std::allocator<T>::allocate when the element count overflows.
void __throw_bad_array_new_length() { throw std::bad_array_new_length(); }

}  // namespace std
