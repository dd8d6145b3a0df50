// How the native tar code reports a failure to its N-API binding: the
// message, and for a failed syscall its name and errno; `invalid` marks a
// refusal of hostile or broken input (an NscopeError 'invalid' in JS) rather
// than a failure of the machine.
#pragma once

#include <string>

namespace tar {

struct Error {
  bool set = false;
  bool invalid = false;
  std::string message;
  std::string syscall;
  int errnum = 0;
};

}  // namespace tar
