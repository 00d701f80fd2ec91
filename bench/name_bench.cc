// Micro-benchmarks for zk::wire::Name: text parsing, canonical ordering (RFC 4034
// section 6.1) and reading compressed names from a message (RFC 1035 section 4.1.4).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "wire/name.h"

namespace {

using zk::wire::Name;

Name mustParse(std::string_view text) {
  auto r = Name::fromText(text);
  if (!r) {
    std::fprintf(stderr, "bad benchmark input %s: %s\n", std::string(text).c_str(),
                 r.error().message.c_str());
    std::abort();
  }
  return std::move(r).value();
}

void BM_FromTextAbsolute(benchmark::State& state) {
  for (auto _ : state) {
    auto r = Name::fromText("h0012345.d17.example.com.");
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_FromTextAbsolute);

void BM_FromTextRelative(benchmark::State& state) {
  const Name origin = mustParse("example.com.");
  for (auto _ : state) {
    auto r = Name::fromText("h0012345.d17", origin);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_FromTextRelative);

void BM_FromTextEscaped(benchmark::State& state) {
  for (auto _ : state) {
    auto r = Name::fromText("w\\046w\\.\\255.Example.COM.");
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_FromTextEscaped);

// Canonical comparison of names sharing a suffix and differing only in case or in the
// leftmost label: the common case when sorting one zone.
void BM_CanonicalCompare(benchmark::State& state) {
  const Name a = mustParse("h0012345.d17.Example.COM.");
  const Name b = mustParse("h0012346.d17.example.com.");
  for (auto _ : state) {
    auto c = a <=> b;
    benchmark::DoNotOptimize(c);
  }
}
BENCHMARK(BM_CanonicalCompare);

// Sorting N names of a synthetic zone into canonical order.
void BM_CanonicalSort(benchmark::State& state) {
  const Name origin = mustParse("example.com.");
  std::vector<Name> names;
  const auto n = static_cast<std::uint32_t>(state.range(0));
  for (std::uint32_t i = 0; i < n; ++i) {
    // Pseudo-random order, a seventh of the names one level down (as in gen_zone.py).
    const std::uint32_t k = (i * 2654435761U) % n;
    // fmt, not operator+ on std::string: GCC 12 reports a false -Wrestrict there.
    std::string text = k % 7 == 0 ? fmt::format("h{}.d{}", k, k % 500) : fmt::format("h{}", k);
    names.push_back(*Name::fromText(text, origin));
  }
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<Name> copy = names;
    state.ResumeTiming();
    std::sort(copy.begin(), copy.end());
    benchmark::DoNotOptimize(copy.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_CanonicalSort)->Arg(1000)->Arg(100000);

// A response-like message: "example.com." at offset 12, then names compressed against it.
std::vector<std::uint8_t> compressedMessage() {
  std::vector<std::uint8_t> m(12, 0);  // header
  for (const char* label : {"example", "com"}) {
    m.push_back(static_cast<std::uint8_t>(std::char_traits<char>::length(label)));
    for (const char* p = label; *p != '\0'; ++p) m.push_back(static_cast<std::uint8_t>(*p));
  }
  m.push_back(0);
  // "www" + pointer to offset 12, then "a.b" + pointer to "www..." (a two-hop chain).
  const std::size_t www = m.size();
  const std::vector<int> tail = {3, 'w', 'w', 'w', 0xC0, 12, 1, 'a', 1, 'b', 0xC0, static_cast<int>(www)};
  for (int c : tail) m.push_back(static_cast<std::uint8_t>(c));
  return m;
}

void BM_ReadNameUncompressed(benchmark::State& state) {
  const auto m = compressedMessage();
  for (auto _ : state) {
    std::size_t offset = 12;
    auto r = zk::wire::readName(m, offset);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_ReadNameUncompressed);

void BM_ReadNameCompressed(benchmark::State& state) {
  const auto m = compressedMessage();
  const std::size_t start = m.size() - 6;  // "a.b" + pointer
  for (auto _ : state) {
    std::size_t offset = start;
    auto r = zk::wire::readName(m, offset);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_ReadNameCompressed);

}  // namespace
