// Names: presentation text and wire form on arbitrary bytes.
//  - text -> Name -> text -> Name gives the same name octet for octet;
//  - uncompressed wire -> Name -> text -> Name is the identity;
//  - readName on a message agrees with the allocation-free expandName.
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "wire/message.h"
#include "wire/name.h"

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_name oracle: %s\n", what);
  std::abort();
}

void textRoundTrip(const zk::wire::Name& n) {
  std::string t = n.toText();
  auto back = zk::wire::Name::fromText(t);
  if (!back.ok()) fail("toText output does not parse");
  if (back->wire() != n.wire()) fail("text round trip changed the name");
  if (back->toText() != t) fail("toText is not stable");
  // Relative to its parent and back.
  if (!n.isRoot()) {
    auto parent = n.parent();
    std::string rel = n.toText(parent);
    auto again = zk::wire::Name::fromText(rel, parent);
    if (!again.ok() || again->wire() != n.wire()) fail("relative text round trip changed the name");
  }
  if (!(n.lowercased() == n)) fail("lowercased name not equal");
  if (n.lowercased().hash() != n.hash()) fail("hash depends on case");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::uint8_t> in(data, size);
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto n = zk::wire::Name::fromText(text); n.ok()) textRoundTrip(*n);
  if (auto n = zk::wire::Name::fromWire(in); n.ok()) textRoundTrip(*n);
  // readName from a few offsets: the first octet picks one.
  std::size_t starts[2] = {0, size > 0 ? data[0] % (size + 1) : 0};
  for (std::size_t start : starts) {
    std::size_t off = start;
    auto r = zk::wire::readName(in, off);
    if (!r.ok()) continue;
    if (off <= start || off > size) fail("readName moved the offset wrongly");
    if (!zk::wire::Name::fromWire(r->bytes()).ok()) fail("readName produced an invalid name");
    std::array<std::uint8_t, zk::wire::kMaxNameLength> buf;
    std::size_t len = zk::wire::expandName(in, start, buf);
    if (len != r->wireLength() ||
        !std::equal(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(len), r->bytes().begin())) {
      fail("expandName and readName disagree");
    }
    textRoundTrip(*r);
  }
  return 0;
}
