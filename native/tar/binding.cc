// The native tar code on the addon's exports, for `nscope cp` in the files
// worker and the CLI, and for image layers in the daemon (helper/files/native-tar.ts
// is the JS side):
//
//   tarPacker(src, name, { follow?, uidMap?, gidMap?, emptyDirs? }) -> { read(buf) -> bytes (0: the end), close() }
//   tarUnpacker(root, { label, owner?: [uid, gid], map?: { uid, gid }, placement?, umask, whiteouts? })
//     -> { write(buf), end() -> { entries, bytes }, close() }
//
// An id map is flat [inside, outside, count, …]. placement: { prepend } or
// { top, to } or { top, contents: true }. Both run synchronously in the
// calling thread: the worker and the CLI have nothing else to do meanwhile.
// Errors carry .code/.errno/.syscall, or .invalid for a refused archive.
#include "binding.h"

#include <memory>

#include "../errno-name.h"
#include "pack.h"
#include "unpack.h"

namespace {

Napi::Error ToJs(Napi::Env env, const tar::Error& e) {
  Napi::Error err = Napi::Error::New(env, e.message);
  if (e.invalid) {
    err.Set("invalid", Napi::Boolean::New(env, true));
  } else {
    err.Set("syscall", Napi::String::New(env, e.syscall));
    err.Set("errno", Napi::Number::New(env, -e.errnum));
    err.Set("code", Napi::String::New(env, ErrnoName(e.errnum)));
  }
  return err;
}

bool IdMap(Napi::Env env, Napi::Value v, std::vector<tar::IdRange>& out) {
  if (v.IsUndefined() || v.IsNull()) return true;
  if (!v.IsArray()) { Napi::TypeError::New(env, "an id map is an array").ThrowAsJavaScriptException(); return false; }
  Napi::Array a = v.As<Napi::Array>();
  if (a.Length() % 3) { Napi::TypeError::New(env, "an id map is [inside, outside, count, …]").ThrowAsJavaScriptException(); return false; }
  for (uint32_t i = 0; i < a.Length(); i += 3) {
    uint32_t n[3];
    for (uint32_t j = 0; j < 3; j++) {
      Napi::Value x = a.Get(i + j);
      if (!x.IsNumber()) { Napi::TypeError::New(env, "an id map holds numbers").ThrowAsJavaScriptException(); return false; }
      n[j] = x.As<Napi::Number>().Uint32Value();
    }
    out.push_back({n[0], n[1], n[2]});
  }
  return true;
}

template <typename T>
T* Handle(const Napi::CallbackInfo& info) {
  Napi::Value h = info.This().As<Napi::Object>().Get("handle");
  if (!h.IsExternal()) { Napi::TypeError::New(info.Env(), "not a tar packer/unpacker").ThrowAsJavaScriptException(); return nullptr; }
  return h.As<Napi::External<T>>().Data();
}

Napi::Value PackRead(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  tar::TreePacker* p = Handle<tar::TreePacker>(info);
  if (!p) return env.Undefined();
  if (info.Length() < 1 || !info[0].IsBuffer()) { Napi::TypeError::New(env, "read(buffer)").ThrowAsJavaScriptException(); return env.Undefined(); }
  Napi::Buffer<char> buf = info[0].As<Napi::Buffer<char>>();
  if (buf.Length() < 65536) { Napi::RangeError::New(env, "read: the buffer must hold at least 64 KiB").ThrowAsJavaScriptException(); return env.Undefined(); }
  ssize_t n = p->Read(buf.Data(), buf.Length());
  if (n < 0) { ToJs(env, p->error()).ThrowAsJavaScriptException(); return env.Undefined(); }
  return Napi::Number::New(env, (double)n);
}

// close() of either: its fds now, not when the collector gets to it
template <typename T>
Napi::Value CloseHandle(const Napi::CallbackInfo& info) {
  T* h = Handle<T>(info);
  if (h) h->Close();
  return info.Env().Undefined();
}

Napi::Value TarPacker(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsString() || !info[1].IsString() || !info[2].IsObject()) {
    Napi::TypeError::New(env, "tarPacker(src, name, options)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Object o = info[2].As<Napi::Object>();
  tar::PackOptions opts;
  opts.follow = o.Get("follow").ToBoolean();
  if (!IdMap(env, o.Get("uidMap"), opts.uidMap) || !IdMap(env, o.Get("gidMap"), opts.gidMap)) return env.Undefined();
  Napi::Value empty = o.Get("emptyDirs");
  if (empty.IsArray()) {
    Napi::Array a = empty.As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); i++) {
      Napi::Value v = a.Get(i);
      if (!v.IsString()) { Napi::TypeError::New(env, "tarPacker: emptyDirs must be strings").ThrowAsJavaScriptException(); return env.Undefined(); }
      opts.emptyDirs.insert(v.As<Napi::String>());
    }
  }
  auto p = std::make_unique<tar::TreePacker>();
  if (!p->Open(info[0].As<Napi::String>(), info[1].As<Napi::String>(), opts)) { ToJs(env, p->error()).ThrowAsJavaScriptException(); return env.Undefined(); }
  Napi::Object out = Napi::Object::New(env);
  out.Set("handle", Napi::External<tar::TreePacker>::New(env, p.release(), [](Napi::Env, tar::TreePacker* x) { delete x; }));
  out.Set("read", Napi::Function::New(env, PackRead, "read"));
  out.Set("close", Napi::Function::New(env, CloseHandle<tar::TreePacker>, "close"));
  return out;
}

Napi::Value UnpackWrite(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  tar::TarUnpacker* u = Handle<tar::TarUnpacker>(info);
  if (!u) return env.Undefined();
  if (info.Length() < 1 || !info[0].IsBuffer()) { Napi::TypeError::New(env, "write(buffer)").ThrowAsJavaScriptException(); return env.Undefined(); }
  Napi::Buffer<unsigned char> buf = info[0].As<Napi::Buffer<unsigned char>>();
  if (!u->Write(buf.Data(), buf.Length())) ToJs(env, u->error()).ThrowAsJavaScriptException();
  return env.Undefined();
}

Napi::Value UnpackEnd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  tar::TarUnpacker* u = Handle<tar::TarUnpacker>(info);
  if (!u) return env.Undefined();
  if (!u->End()) { ToJs(env, u->error()).ThrowAsJavaScriptException(); return env.Undefined(); }
  Napi::Object out = Napi::Object::New(env);
  out.Set("entries", Napi::Number::New(env, (double)u->entries()));
  out.Set("bytes", Napi::Number::New(env, (double)u->bytes()));
  return out;
}

Napi::Value TarUnpacker(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsObject()) {
    Napi::TypeError::New(env, "tarUnpacker(root, options)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Object o = info[1].As<Napi::Object>();
  tar::UnpackOptions opts;
  opts.label = o.Get("label").ToString();
  Napi::Value owner = o.Get("owner");
  if (owner.IsArray()) {
    Napi::Array a = owner.As<Napi::Array>();
    opts.keepOwners = false;
    opts.fixedUid = a.Get((uint32_t)0).ToNumber().Uint32Value();
    opts.fixedGid = a.Get((uint32_t)1).ToNumber().Uint32Value();
  }
  Napi::Value map = o.Get("map");
  if (map.IsObject()) {
    opts.mapIds = true;
    Napi::Object m = map.As<Napi::Object>();
    if (!IdMap(env, m.Get("uid"), opts.uidMap) || !IdMap(env, m.Get("gid"), opts.gidMap)) return env.Undefined();
  }
  Napi::Value place = o.Get("placement");
  if (place.IsObject()) {
    Napi::Object pl = place.As<Napi::Object>();
    if (pl.Get("prepend").IsString()) {
      opts.placement = tar::UnpackOptions::kPrepend;
      opts.to = pl.Get("prepend").ToString().Utf8Value();
    } else {
      opts.top = pl.Get("top").ToString().Utf8Value();
      if (pl.Get("contents").ToBoolean()) opts.placement = tar::UnpackOptions::kContents;
      else { opts.placement = tar::UnpackOptions::kRename; opts.to = pl.Get("to").ToString().Utf8Value(); }
    }
  }
  opts.whiteouts = o.Get("whiteouts").ToBoolean();
  Napi::Value umask = o.Get("umask");
  if (umask.IsNumber()) opts.umask = umask.As<Napi::Number>().Uint32Value() & 0777;
  auto u = std::make_unique<tar::TarUnpacker>();
  if (!u->Open(info[0].As<Napi::String>(), opts)) { ToJs(env, u->error()).ThrowAsJavaScriptException(); return env.Undefined(); }
  Napi::Object out = Napi::Object::New(env);
  out.Set("handle", Napi::External<tar::TarUnpacker>::New(env, u.release(), [](Napi::Env, tar::TarUnpacker* x) { delete x; }));
  out.Set("write", Napi::Function::New(env, UnpackWrite, "write"));
  out.Set("end", Napi::Function::New(env, UnpackEnd, "end"));
  out.Set("close", Napi::Function::New(env, CloseHandle<tar::TarUnpacker>, "close"));
  return out;
}

}  // namespace

void InitTar(Napi::Env env, Napi::Object exports) {
  exports.Set("tarPacker", Napi::Function::New(env, TarPacker));
  exports.Set("tarUnpacker", Napi::Function::New(env, TarUnpacker));
}
