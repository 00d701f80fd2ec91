// Micro-benchmarks for the query hot path: parsing a query (dig with EDNS and a
// cookie) and building typical responses with compression and an OPT record.
// Run: build/release/bench/message_bench
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "wire/message.h"

namespace {

using namespace zk::wire;

// `dig www.example.com A` (BIND 9.18): EDNS 1232 with a client cookie.
const std::uint8_t kQuery[] = {0x9e, 0xe9, 0x01, 0x20, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
                               0x03, 0x77, 0x77, 0x77, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65,
                               0x03, 0x63, 0x6f, 0x6d, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x29,
                               0x04, 0xd0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x0a, 0x00, 0x08,
                               0x43, 0xf8, 0x4d, 0x6f, 0x24, 0x89, 0xc7, 0xb9};

void BM_ParseQuery(benchmark::State& state) {
  for (auto _ : state) {
    auto v = MessageView::parse(kQuery);
    std::array<std::uint8_t, kMaxNameLength> qname;
    std::size_t n = v->expandQuestionName(qname);
    auto e = v->edns();
    benchmark::DoNotOptimize(n);
    benchmark::DoNotOptimize(e);
  }
}
BENCHMARK(BM_ParseQuery);

Name name(const char* t) { return *Name::fromText(t); }

// Question + 2 A + 2 NS + 2 glue A + OPT: the shape of most authoritative answers.
void BM_BuildReferralSizedAnswer(benchmark::State& state) {
  const Name qname = name("www.example.com.");
  const Name apex = name("example.com.");
  const Name ns1 = name("ns1.example.com.");
  const Name ns2 = name("ns2.example.com.");
  const std::uint8_t a1[] = {192, 0, 2, 1};
  const std::uint8_t a2[] = {192, 0, 2, 2};
  std::vector<std::uint8_t> ns1rd(ns1.bytes().begin(), ns1.bytes().end());
  std::vector<std::uint8_t> ns2rd(ns2.bytes().begin(), ns2.bytes().end());
  std::array<std::uint8_t, 4096> buf;
  Header h;
  h.id = 1;
  h.qr = h.aa = true;
  Edns edns;
  std::size_t size = 0;
  for (auto _ : state) {
    MessageBuilder b(buf, 1232);
    b.setHeader(h);
    b.reserveOpt();
    b.addQuestion(qname, RRType::A, 1);
    b.addRecord(Section::Answer, qname, RRType::A, 1, 300, a1);
    b.addRecord(Section::Answer, qname, RRType::A, 1, 300, a2);
    b.addRecord(Section::Authority, apex, RRType::NS, 1, 86400, ns1rd);
    b.addRecord(Section::Authority, apex, RRType::NS, 1, 86400, ns2rd);
    b.addRecord(Section::Additional, ns1, RRType::A, 1, 86400, a1);
    b.addRecord(Section::Additional, ns2, RRType::A, 1, 86400, a2);
    b.addOpt(edns);
    size = b.finish().size();
    benchmark::DoNotOptimize(buf.data());
  }
  state.counters["bytes"] = static_cast<double>(size);
}
BENCHMARK(BM_BuildReferralSizedAnswer);

// A 40-record MX RRset that does not fit in 512 octets: added, rolled back, TC set.
void BM_BuildTruncatedRrset(benchmark::State& state) {
  const Name apex = name("example.com.");
  std::vector<std::vector<std::uint8_t>> rdatas;
  for (int i = 0; i < 40; ++i) {
    auto n = name(("mx" + std::to_string(i) + ".example.com.").c_str());
    std::vector<std::uint8_t> rd = {0, static_cast<std::uint8_t>(i)};  // preference
    rd.insert(rd.end(), n.bytes().begin(), n.bytes().end());
    rdatas.push_back(std::move(rd));
  }
  std::array<std::uint8_t, 4096> buf;
  for (auto _ : state) {
    MessageBuilder b(buf, 512);
    b.addQuestion(apex, RRType::MX, 1);
    auto m = b.mark();
    for (const auto& rd : rdatas) {
      if (b.addRecord(Section::Answer, apex, RRType::MX, 1, 300, rd) != AddResult::Ok) {
        b.rollback(m);
        b.setTc();
        break;
      }
    }
    benchmark::DoNotOptimize(b.finish().size());
  }
}
BENCHMARK(BM_BuildTruncatedRrset);

}  // namespace
