// The 512-byte ustar header and PAX records, for the native packer and
// unpacker of `nscope cp` (pack.cc, unpack.cc). The same format rules as
// helper/images/tar-header.ts: octal fields with a NUL, GNU base-256 read,
// the unsigned checksum written and the signed one accepted.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace tar {

constexpr size_t kBlock = 512;

struct Field { size_t off, len; };
constexpr Field kName{0, 100}, kMode{100, 8}, kUid{108, 8}, kGid{116, 8}, kSize{124, 12}, kMtime{136, 12},
    kChksum{148, 8}, kLinkname{157, 100}, kMagic{257, 6}, kVersion{263, 2}, kDevmajor{329, 8}, kDevminor{337, 8},
    kPrefix{345, 155};
constexpr size_t kTypeflag = 156;

inline size_t Padded(uint64_t n) { return (size_t)((kBlock - n % kBlock) % kBlock); }

// Writes `v` as zero-padded octal and a NUL; false if it does not fit.
inline bool WriteOctal(char* h, Field f, uint64_t v) {
  char tmp[24];
  size_t n = 0;
  do { tmp[n++] = (char)('0' + (v & 7)); v >>= 3; } while (v && n < sizeof(tmp));
  if (v || n > f.len - 1) return false;
  char* p = h + f.off;
  std::memset(p, '0', f.len - 1 - n);
  for (size_t i = 0; i < n; i++) p[f.len - 2 - i] = tmp[i];
  p[f.len - 1] = 0;
  return true;
}

inline bool WriteString(char* h, Field f, const std::string& s) {
  if (s.size() > f.len) return false;
  std::memcpy(h + f.off, s.data(), s.size());
  return true;
}

// A NUL-terminated string field.
inline std::string ReadString(const unsigned char* h, Field f) {
  const char* p = reinterpret_cast<const char*>(h + f.off);
  return std::string(p, strnlen(p, f.len));
}

// A numeric field, octal (spaces/NULs around it) or base-256; false when it is not a number.
inline bool ReadNumber(const unsigned char* h, Field f, int64_t* out) {
  const unsigned char* b = h + f.off;
  if (b[0] & 0x80) {
    bool negative = b[0] == 0xff;
    uint64_t v = 0;
    for (size_t i = 0; i < f.len; i++) {
      unsigned byte = i == 0 ? (b[i] & 0x7f) : b[i];
      if (negative) byte = (i == 0 ? 0x7f : 0xff) ^ byte;
      v = v * 256 + byte;
      if (v > (1ULL << 53) - 1) return false;
    }
    *out = negative ? -(int64_t)(v + 1) : (int64_t)v;
    return true;
  }
  size_t i = 0, end = f.len;
  while (i < end && (b[i] == ' ' || b[i] == 0)) i++;
  while (end > i && (b[end - 1] == ' ' || b[end - 1] == 0)) end--;
  uint64_t v = 0;
  for (; i < end; i++) {
    if (b[i] < '0' || b[i] > '7') return false;
    v = v * 8 + (b[i] - '0');
    if (v > (1ULL << 53) - 1) return false;
  }
  *out = (int64_t)v;
  return true;
}

inline uint32_t Checksum(const unsigned char* h) {
  uint32_t sum = 0;
  for (size_t i = 0; i < kBlock; i++) sum += (i >= 148 && i < 156) ? 0x20 : h[i];
  return sum;
}

inline int32_t SignedChecksum(const unsigned char* h) {
  int32_t sum = 0;
  for (size_t i = 0; i < kBlock; i++) sum += (i >= 148 && i < 156) ? 0x20 : (int32_t)(signed char)h[i];
  return sum;
}

inline bool IsZeroBlock(const unsigned char* h) {
  for (size_t i = 0; i < kBlock; i++) if (h[i]) return false;
  return true;
}

// "<len> <key>=<value>\n", the length counting its own digits.
inline void PaxRecord(std::string& out, const std::string& key, const std::string& value) {
  size_t body = 1 + key.size() + 1 + value.size() + 1;
  size_t n = body + 1;
  for (;;) {
    size_t m = std::to_string(n).size() + body;
    if (m == n) break;
    n = m;
  }
  out += std::to_string(n);
  out += ' ';
  out += key;
  out += '=';
  out += value;
  out += '\n';
}

struct PaxRec { std::string key, value; };

// Parses PAX records; "" or the reason (the wording of tar-header.ts's parsePax).
inline std::string ParsePax(const std::string& data, std::vector<PaxRec>& out) {
  size_t pos = 0;
  while (pos < data.size()) {
    if (data[pos] == 0) break;  // some writers pad the block with NULs
    size_t sp = data.find(' ', pos);
    if (sp == std::string::npos || sp - pos > 20) return "bad record at byte " + std::to_string(pos);
    std::string lenStr = data.substr(pos, sp - pos);
    if (lenStr.empty() || lenStr.find_first_not_of("0123456789") != std::string::npos) return "bad record length \"" + lenStr + "\"";
    size_t len = 0;
    for (char c : lenStr) { len = len * 10 + (size_t)(c - '0'); if (len > data.size()) break; }
    size_t end = pos + len;
    if (len <= sp - pos + 1 || end > data.size() || end < pos || data[end - 1] != '\n') return "bad record at byte " + std::to_string(pos);
    size_t eq = data.find('=', sp + 1);
    if (eq == std::string::npos || eq >= end - 1 || eq == sp + 1) return "record without \"key=\" at byte " + std::to_string(pos);
    out.push_back({data.substr(sp + 1, eq - sp - 1), data.substr(eq + 1, end - 1 - eq - 1)});
    pos = end;
  }
  return "";
}

}  // namespace tar
