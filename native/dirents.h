// A directory's entries by getdents64, "." and ".." left out: for the walks
// of the addon (diffs, file views) and of the native tar packer.
#pragma once

#include <dirent.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

// Calls f(name, d_type) for each entry of the open directory `fd`; 0, or the errno of getdents64.
template <typename F>
int ForEachDirent(int fd, F f) {
  alignas(8) char buf[32768];
  for (;;) {
    long n = syscall(SYS_getdents64, fd, buf, sizeof(buf));
    if (n < 0) return errno;
    if (n == 0) return 0;
    for (long off = 0; off < n;) {
      struct dirent64* de = reinterpret_cast<struct dirent64*>(buf + off);
      off += de->d_reclen;
      const char* nm = de->d_name;
      if (nm[0] == '.' && (nm[1] == 0 || (nm[1] == '.' && nm[2] == 0))) continue;
      f(nm, de->d_type);
    }
  }
}
