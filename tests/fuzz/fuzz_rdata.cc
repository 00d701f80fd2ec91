// Fuzzes RDATA conversions. Input: 2 octets of type, 1 octet of mode, then data.
// Mode even: data is wire RDATA (also placed in a message for rdataFromWire).
// Mode odd: data is presentation text split on spaces ('"' quotes a token).
// Invariants: nothing crashes; accepted data prints to text that reads back to
// the same octets; data that fails validation prints in generic form.

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "wire/rdata.h"

using namespace zk::wire;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

void roundTrip(RRType type, const Bytes& rd) {
  std::string text = rdataToText(type, rd);
  std::vector<std::string> store;
  std::vector<TextToken> toks;
  // Printed text never holds spaces inside tokens except within quotes.
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == ' ') {
      ++i;
      continue;
    }
    std::string tok;
    bool quoted = text[i] == '"';
    if (quoted) {
      ++i;
      while (i < text.size() && text[i] != '"') {
        if (text[i] == '\\') tok.push_back(text[i++]);
        tok.push_back(text[i++]);
      }
      ++i;
    } else {
      while (i < text.size() && text[i] != ' ') {
        if (text[i] == '\\' && i + 1 < text.size()) tok.push_back(text[i++]);
        tok.push_back(text[i++]);
      }
    }
    store.push_back(std::move(tok));
    toks.push_back({{}, quoted});
  }
  for (std::size_t k = 0; k < toks.size(); ++k) toks[k].text = store[k];
  Bytes back;
  auto st = rdataFromText(type, toks, Name(), back);
  if (validateRdata(type, rd).ok()) {
    check(st.ok());
    check(back == rd);
  } else {
    check(!st.ok());
    check(text == rdataToGeneric(rd));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  auto type = static_cast<RRType>((data[0] << 8) | data[1]);
  std::uint8_t mode = data[2];
  std::span<const std::uint8_t> rest(data + 3, size - 3);
  if (mode % 2 == 0) {
    Bytes rd(rest.begin(), rest.end());
    roundTrip(type, rd);
    std::size_t offs[4];
    std::size_t n = rdataNameOffsets(type, rd, offs);
    for (std::size_t k = 0; k < n; ++k) check(offs[k] < rd.size());
    // As a message: the RDATA starts at mode/2 (bounded), pointers may go back into the prefix.
    std::size_t off = std::min<std::size_t>(mode / 2, rest.size());
    Bytes out;
    auto st = rdataFromWire(type, rest, off, rest.size() - off, out);
    if (st.ok()) {
      check(validateRdata(type, out).ok());
      roundTrip(type, out);
    } else {
      check(out.empty());
    }
  } else {
    std::string_view text(reinterpret_cast<const char*>(rest.data()), rest.size());
    std::vector<TextToken> toks;
    std::size_t i = 0;
    while (i < text.size()) {
      if (text[i] == ' ') {
        ++i;
        continue;
      }
      bool quoted = text[i] == '"';
      std::size_t start = quoted ? i + 1 : i;
      std::size_t end = text.find(quoted ? '"' : ' ', start);
      if (end == std::string_view::npos) end = text.size();
      toks.push_back({text.substr(start, end - start), quoted});
      i = end + 1;
    }
    Bytes out;
    auto origin = Name::fromText("example.");
    auto st = rdataFromText(type, toks, *origin, out);
    if (st.ok()) {
      check(validateRdata(type, out).ok());
      roundTrip(type, out);
    } else {
      check(out.empty());
    }
  }
  return 0;
}
