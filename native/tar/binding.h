// tarPacker and tarUnpacker on the addon's exports (binding.cc).
#pragma once

#include <napi.h>

void InitTar(Napi::Env env, Napi::Object exports);
