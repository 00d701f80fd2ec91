#include "zonefile/parser.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <optional>

#include <fmt/format.h>

#include "wire/rdata.h"
#include "zonefile/lexer.h"

namespace zk::zonefile {
namespace {

using wire::Name;
using wire::RRClass;
using wire::RRType;

constexpr std::size_t kMaxKeptWarnings = 1000;

constexpr bool isDigit(char c) { return c >= '0' && c <= '9'; }

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (wire::asciiLower(static_cast<std::uint8_t>(a[i])) !=
        wire::asciiLower(static_cast<std::uint8_t>(b[i]))) {
      return false;
    }
  }
  return true;
}

bool startsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && equalsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

// True for the class mnemonics BIND accepts in zone files and RFC 3597 CLASSnnn.
bool looksLikeClass(std::string_view t) {
  if (t.size() == 2) {
    return equalsIgnoreCase(t, "IN") || equalsIgnoreCase(t, "CH") || equalsIgnoreCase(t, "HS");
  }
  if (equalsIgnoreCase(t, "CHAOS") || equalsIgnoreCase(t, "HESIOD")) return true;
  if (startsWithIgnoreCase(t, "CLASS") && t.size() > 5) {
    for (char c : t.substr(5)) {
      if (!isDigit(c)) return false;
    }
    return true;
  }
  return false;
}

// Shortened, printable form of a token for messages.
std::string describe(const Token& t) {
  switch (t.kind) {
    case TokenKind::EndOfLine:
      return "end of line";
    case TokenKind::EndOfFile:
      return "end of file";
    case TokenKind::Quoted:
    case TokenKind::Word: {
      std::string s;
      const std::string_view text = t.text.substr(0, 60);
      for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u >= 0x7f) {
          s += fmt::format("\\{:03d}", u);
        } else {
          s += c;
        }
      }
      if (t.text.size() > 60) s += "...";
      return t.kind == TokenKind::Quoted ? fmt::format("quoted string \"{}\"", s) : fmt::format("'{}'", s);
    }
  }
  return "?";
}

std::string dirOf(std::string_view path) {
  const auto slash = path.rfind('/');
  if (slash == std::string_view::npos) return ".";
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

bool readWholeFile(const std::string& path, std::string& out, std::string& error) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = std::strerror(errno);
    return false;
  }
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    error = "is a directory";
    return false;
  }
  out.clear();
  if (st.st_size > 0) out.reserve(static_cast<std::size_t>(st.st_size));
  char chunk[1 << 16];
  // One big read when the size is known; the loop covers pipes and short reads.
  if (st.st_size > 0 && S_ISREG(st.st_mode)) {
    out.resize(static_cast<std::size_t>(st.st_size));
    std::size_t got = 0;
    while (got < out.size()) {
      const ssize_t n = ::read(fd, out.data() + got, out.size() - got);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        error = std::strerror(errno);
        ::close(fd);
        return false;
      }
      if (n == 0) break;
      got += static_cast<std::size_t>(n);
    }
    out.resize(got);
  }
  for (;;) {
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = std::strerror(errno);
      ::close(fd);
      return false;
    }
    if (n == 0) break;
    out.append(chunk, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return true;
}

// A whole file's text: mapped when it is a regular file, so that the pages the
// parser has finished with can be dropped as it moves on (peak memory stays at
// the records, not records + file); read into memory otherwise (pipes).
class SourceText {
 public:
  SourceText() = default;
  SourceText(const SourceText&) = delete;
  SourceText& operator=(const SourceText&) = delete;
  ~SourceText() {
    if (map_ != nullptr) ::munmap(map_, size_);
  }

  bool open(const std::string& path, std::string& error) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      error = std::strerror(errno);
      return false;
    }
    struct stat st {};
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
      void* p = ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
      if (p != MAP_FAILED) {
        ::close(fd);
        map_ = static_cast<char*>(p);
        size_ = static_cast<std::size_t>(st.st_size);
        ::madvise(map_, size_, MADV_SEQUENTIAL);
        return true;
      }
    }
    ::close(fd);
    return readWholeFile(path, owned_, error);
  }

  [[nodiscard]] std::string_view text() const {
    return map_ != nullptr ? std::string_view(map_, size_) : std::string_view(owned_);
  }

  // Drops the mapped pages before `offset` from memory, a few MiB at a time.
  void releaseBefore(std::size_t offset) {
    constexpr std::size_t kPage = 4096;
    constexpr std::size_t kChunk = std::size_t{8} << 20;
    if (map_ == nullptr) return;
    const std::size_t aligned = offset & ~(kPage - 1);
    if (aligned < released_ + kChunk) return;
    ::madvise(map_ + released_, aligned - released_, MADV_DONTNEED);
    released_ = aligned;
  }

 private:
  std::string owned_;
  char* map_ = nullptr;
  std::size_t size_ = 0;
  std::size_t released_ = 0;
};

std::string canonicalPath(const std::string& path) {
  char buf[PATH_MAX];
  if (::realpath(path.c_str(), buf) != nullptr) return buf;
  return path;
}

class Parser {
 public:
  Parser(const ParseOptions& options, const RecordCallback& onRecord, ParseResult& result)
      : options_(options), onRecord_(onRecord), result_(result), origin_(options.origin) {
    tokens_.reserve(64);
    rdata_.reserve(1024);
  }

  // `source` (may be null) is told how far parsing got, to drop finished pages.
  void parse(std::string_view text, std::uint32_t file, const std::string& dir, int depth,
             SourceText* source = nullptr);
  void pushInclude(const std::string& canonical) { includeStack_.push_back(canonical); }

 private:
  struct Frame {
    Lexer& lex;
    std::uint32_t file;
    const std::string& dir;
    int depth;
  };

  void error(Location loc, std::string message) {
    if (stop_) return;
    result_.diagnostics.push_back({Severity::Error, loc, std::move(message)});
    ++result_.errors;
    if (options_.maxErrors != 0 && result_.errors >= options_.maxErrors) {
      result_.diagnostics.push_back({Severity::Error, Location{loc.file, 0, 0},
                                     fmt::format("too many errors ({}), stopping", result_.errors)});
      result_.stoppedEarly = true;
      stop_ = true;
    }
  }
  void warning(Location loc, std::string message) {
    if (stop_) return;
    // Counted always, kept up to a bound: a million-record zone must not keep a
    // million copies of one warning.
    if (++result_.warnings <= kMaxKeptWarnings) {
      result_.diagnostics.push_back({Severity::Warning, loc, std::move(message)});
    } else if (result_.warnings == kMaxKeptWarnings + 1) {
      result_.diagnostics.push_back({Severity::Warning, Location{loc.file, 0, 0},
                                     "more warnings follow; only the first ones are shown"});
    }
  }

  // Next token; reports a lexer error (once) and marks the record as failed.
  Token next(Frame& f) {
    Token t = f.lex.next();
    if (f.lex.hasError()) {
      error(Location{f.file, f.lex.errorLine(), f.lex.errorColumn()}, std::string(f.lex.error()));
      f.lex.clearError();
      recordFailed_ = true;
    }
    return t;
  }
  // Skips to the end of the logical line unless `t` already ended it.
  void skipRest(Frame& f, const Token& t) {
    Token cur = t;
    while (cur.kind != TokenKind::EndOfLine && cur.kind != TokenKind::EndOfFile) cur = next(f);
  }
  Location loc(const Frame& f, const Token& t) const { return Location{f.file, t.line, t.column}; }
  void fail(Frame& f, const Token& t, std::string message) {
    // A lexer error in this record was already reported and is the cause.
    if (!recordFailed_) error(loc(f, t), std::move(message));
    skipRest(f, t);
  }
  // After a directive's arguments: the line must end.
  void expectEnd(Frame& f, std::string_view after) {
    const Token t = next(f);
    if (t.kind != TokenKind::EndOfLine && t.kind != TokenKind::EndOfFile) {
      fail(f, t, fmt::format("expected end of line after {}, got {}", after, describe(t)));
    }
  }

  void record(Frame& f, Token t);
  void directive(Frame& f, const Token& t);
  void include(Frame& f, const Token& directiveToken);

  const ParseOptions& options_;
  const RecordCallback& onRecord_;
  ParseResult& result_;
  Name origin_;
  Name owner_;
  bool haveOwner_ = false;
  std::optional<std::uint32_t> defaultTtl_;  // $TTL, or the SOA minimum as BIND does
  std::optional<std::uint32_t> lastTtl_;     // RFC 1035 section 5.1: previous explicit TTL
  bool warnedRfc1035Ttl_ = false;
  bool recordFailed_ = false;
  bool stop_ = false;
  std::vector<wire::TextToken> tokens_;
  wire::Bytes rdata_;
  std::vector<std::string> includeStack_;
};

void Parser::parse(std::string_view text, std::uint32_t file, const std::string& dir, int depth,
                   SourceText* source) {
  Lexer lex(text);
  Frame f{lex, file, dir, depth};
  while (!stop_) {
    recordFailed_ = false;
    const Token t = next(f);
    if (t.kind == TokenKind::EndOfFile) break;
    if (t.kind == TokenKind::EndOfLine) continue;
    if (recordFailed_) {
      skipRest(f, t);
      continue;
    }
    record(f, t);
    if (source != nullptr) source->releaseBefore(lex.offset());
  }
}

void Parser::record(Frame& f, Token t) {
  const Location recLoc = loc(f, t);
  if (t.atLineStart && t.kind == TokenKind::Word) {
    if (t.text[0] == '$') {
      directive(f, t);
      return;
    }
    // RFC 1035 section 5.1: a name in column 1 is the owner.
    auto owner = Name::fromText(t.text, origin_);
    if (!owner) {
      fail(f, t, fmt::format("bad owner name {}: {}", describe(t), owner.error().message));
      return;
    }
    owner_ = std::move(owner).value();
    haveOwner_ = true;
    t = next(f);
  } else if (t.kind == TokenKind::Quoted && t.column == 1) {
    fail(f, t, fmt::format("expected an owner name, got {}", describe(t)));
    return;
  } else if (!haveOwner_) {
    // Leading blank: the previous owner, and there is none yet.
    fail(f, t, "no owner name: the first record must start with a name in column 1");
    return;
  }

  // [TTL] [CLASS] TYPE or [CLASS] [TTL] TYPE (RFC 1035 section 5.1).
  bool haveTtl = false;
  bool haveClass = false;
  std::uint32_t ttl = 0;
  RRClass cls = options_.defaultClass;
  Token ttlToken;
  for (;;) {
    if (t.kind != TokenKind::Word) break;
    if (!haveTtl && isDigit(t.text[0])) {
      if (!parseTtl(t.text, ttl)) {
        fail(f, t, fmt::format("expected a TTL (seconds or units like 1h30m), got {}", describe(t)));
        return;
      }
      haveTtl = true;
      ttlToken = t;
      t = next(f);
      continue;
    }
    if (!haveClass && looksLikeClass(t.text)) {
      if (t.text.size() == 2 && equalsIgnoreCase(t.text, "IN")) {
        cls = RRClass::IN;
      } else {
        auto c = wire::classFromText(t.text);
        if (!c) {
          fail(f, t, fmt::format("bad class {}: {}", describe(t), c.error().message));
          return;
        }
        cls = *c;
      }
      if (cls != options_.defaultClass) {
        fail(f, t,
             fmt::format("class {} does not match the zone's class {}", wire::classToText(cls),
                         wire::classToText(options_.defaultClass)));
        return;
      }
      haveClass = true;
      t = next(f);
      continue;
    }
    break;
  }
  const std::string_view expected = haveTtl && haveClass ? "a type"
                                    : haveTtl            ? "a class or type"
                                    : haveClass          ? "a TTL or type"
                                                         : "a TTL, class or type";
  if (t.kind != TokenKind::Word) {
    fail(f, t, fmt::format("expected {}, got {}", expected, describe(t)));
    return;
  }
  auto type = wire::typeFromText(t.text);
  if (!type) {
    fail(f, t, fmt::format("expected {}, got {}", expected, describe(t)));
    return;
  }
  if (wire::isMetaType(*type)) {
    fail(f, t, fmt::format("type {} is a query type and cannot appear in a zone", wire::typeToText(*type)));
    return;
  }
  const Token typeToken = t;

  tokens_.clear();
  t = next(f);
  const Location rdataLoc = loc(f, t);
  while (t.kind == TokenKind::Word || t.kind == TokenKind::Quoted) {
    tokens_.push_back(wire::TextToken{t.text, t.kind == TokenKind::Quoted});
    t = next(f);
  }
  if (recordFailed_) return;  // a lexer error inside the record was reported
  rdata_.clear();
  auto st = wire::rdataFromText(*type, tokens_, origin_, rdata_);
  if (!st) {
    error(rdataLoc, fmt::format("bad {} record data: {}", wire::typeToText(*type), st.error().message));
    return;
  }
  if (rdata_.size() > 0xffff) {
    error(rdataLoc, fmt::format("{} record data is {} octets; the maximum is 65535 (RFC 1035 section 3.2.1)",
                                wire::typeToText(*type), rdata_.size()));
    return;
  }

  if (haveTtl) {
    if (ttl > kMaxTtl) {
      warning(loc(f, ttlToken), fmt::format("TTL {} is above 2^31-1; using 0 (RFC 2181 section 8)", ttl));
      ttl = 0;
    }
    lastTtl_ = ttl;
  } else if (defaultTtl_) {
    ttl = *defaultTtl_;
  } else if (lastTtl_) {
    if (!warnedRfc1035Ttl_) {
      warning(loc(f, typeToken),
              "no TTL and no $TTL: using the previous record's TTL (RFC 1035 section 5.1)");
      warnedRfc1035Ttl_ = true;
    }
    ttl = *lastTtl_;
  } else if (*type == RRType::SOA && rdata_.size() >= 4) {
    // BIND's rule: the SOA minimum becomes the default TTL.
    const std::size_t n = rdata_.size();
    ttl = (std::uint32_t{rdata_[n - 4]} << 24) | (std::uint32_t{rdata_[n - 3]} << 16) |
          (std::uint32_t{rdata_[n - 2]} << 8) | std::uint32_t{rdata_[n - 1]};
    if (ttl > kMaxTtl) ttl = 0;
    defaultTtl_ = ttl;
    warning(loc(f, typeToken),
            fmt::format("no TTL and no $TTL: using the SOA minimum {} as the default", ttl));
  } else {
    error(loc(f, typeToken), "no TTL: give one, or a $TTL directive before this record");
    return;
  }

  ++result_.records;
  onRecord_(RecordView{owner_, *type, cls, ttl, rdata_, recLoc});
}

void Parser::directive(Frame& f, const Token& t) {
  const std::string_view name = t.text;
  if (equalsIgnoreCase(name, "$ORIGIN")) {
    const Token arg = next(f);
    if (arg.kind != TokenKind::Word) {
      fail(f, arg, fmt::format("expected a domain name after $ORIGIN, got {}", describe(arg)));
      return;
    }
    auto o = Name::fromText(arg.text, origin_);
    if (!o) {
      fail(f, arg, fmt::format("bad $ORIGIN name {}: {}", describe(arg), o.error().message));
      return;
    }
    origin_ = std::move(o).value();
    expectEnd(f, "the $ORIGIN name");
    return;
  }
  if (equalsIgnoreCase(name, "$TTL")) {
    const Token arg = next(f);
    std::uint32_t v = 0;
    if (arg.kind != TokenKind::Word || !parseTtl(arg.text, v)) {
      fail(f, arg,
           fmt::format("expected a TTL (seconds or units like 1h30m) after $TTL, got {}", describe(arg)));
      return;
    }
    if (v > kMaxTtl) {
      warning(loc(f, arg), fmt::format("$TTL {} is above 2^31-1; using 0 (RFC 2181 section 8)", v));
      v = 0;
    }
    defaultTtl_ = v;  // RFC 2308 section 4
    expectEnd(f, "the $TTL value");
    return;
  }
  if (equalsIgnoreCase(name, "$INCLUDE")) {
    include(f, t);
    return;
  }
  if (equalsIgnoreCase(name, "$GENERATE")) {
    fail(f, t, "$GENERATE is not supported; expand the records in the file");
    return;
  }
  fail(f, t,
       fmt::format("expected a directive ($ORIGIN, $TTL, $INCLUDE) or owner name, got {}", describe(t)));
}

// RFC 1035 section 5.1: $INCLUDE <file-name> [<domain-name>] [<comment>]
void Parser::include(Frame& f, const Token& directiveToken) {
  const Token fileTok = next(f);
  if (fileTok.kind != TokenKind::Word && fileTok.kind != TokenKind::Quoted) {
    fail(f, fileTok, fmt::format("expected a file name after $INCLUDE, got {}", describe(fileTok)));
    return;
  }
  const std::string fileName(fileTok.text);
  Token t = next(f);
  std::optional<Name> newOrigin;
  if (t.kind == TokenKind::Word) {
    auto o = Name::fromText(t.text, origin_);
    if (!o) {
      fail(f, t, fmt::format("bad $INCLUDE origin {}: {}", describe(t), o.error().message));
      return;
    }
    newOrigin = std::move(o).value();
    t = next(f);
  }
  if (t.kind != TokenKind::EndOfLine && t.kind != TokenKind::EndOfFile) {
    fail(f, t, fmt::format("expected end of line after the $INCLUDE origin, got {}", describe(t)));
    return;
  }
  if (recordFailed_) return;
  const Location at = loc(f, directiveToken);
  if (!options_.allowInclude) {
    error(at, "$INCLUDE is not allowed here");
    return;
  }
  if (f.depth + 1 > options_.maxIncludeDepth) {
    error(at, fmt::format("$INCLUDE nested more than {} levels deep", options_.maxIncludeDepth));
    return;
  }
  const bool absolute = !fileName.empty() && fileName[0] == '/';
  const std::string path = absolute || f.dir == "." ? fileName : f.dir + "/" + fileName;
  const std::string canonical = canonicalPath(path);
  for (const auto& open : includeStack_) {
    if (open == canonical) {
      error(at, fmt::format("$INCLUDE loop: '{}' is already being read", fileName));
      return;
    }
  }
  SourceText content;
  std::string why;
  if (!content.open(path, why)) {
    error(at, fmt::format("cannot read $INCLUDE file '{}': {}", path, why));
    return;
  }
  // The included file starts with the given origin (or the current one); the
  // including file's origin and owner come back afterwards (RFC 1035 section 5.1).
  const Name savedOrigin = origin_;
  const Name savedOwner = owner_;
  const bool savedHaveOwner = haveOwner_;
  if (newOrigin) origin_ = *newOrigin;
  const std::uint32_t id = result_.files.add(path);
  includeStack_.push_back(canonical);
  parse(content.text(), id, dirOf(path), f.depth + 1, &content);
  includeStack_.pop_back();
  origin_ = savedOrigin;
  owner_ = savedOwner;
  haveOwner_ = savedHaveOwner;
}

}  // namespace

bool parseTtl(std::string_view text, std::uint32_t& out) {
  if (text.empty()) return false;
  std::uint64_t total = 0;
  std::uint64_t cur = 0;
  bool digits = false;
  bool units = false;
  for (char c : text) {
    if (isDigit(c)) {
      cur = cur * 10 + static_cast<std::uint64_t>(c - '0');
      if (cur > 0xffffffffULL) return false;
      digits = true;
      continue;
    }
    if (!digits) return false;
    std::uint64_t mult = 0;
    switch (wire::asciiLower(static_cast<std::uint8_t>(c))) {
      case 's':
        mult = 1;
        break;
      case 'm':
        mult = 60;
        break;
      case 'h':
        mult = 3600;
        break;
      case 'd':
        mult = 86400;
        break;
      case 'w':
        mult = 604800;
        break;
      default:
        return false;
    }
    total += cur * mult;
    if (total > 0xffffffffULL) return false;
    cur = 0;
    digits = false;
    units = true;
  }
  if (digits) {
    if (units) return false;  // "1h30": BIND wants a unit after every number
    total = cur;
  }
  out = static_cast<std::uint32_t>(total);
  return true;
}

namespace {

ParseResult parseText(std::string_view text, std::string_view displayName, const ParseOptions& options,
                      const RecordCallback& onRecord, SourceText* source) {
  ParseResult result;
  const std::uint32_t id = result.files.add(std::string(displayName));
  Parser parser(options, onRecord, result);
  parser.pushInclude(canonicalPath(std::string(displayName)));
  parser.parse(text, id, dirOf(displayName), 0, source);
  return result;
}

}  // namespace

ParseResult parseZoneBuffer(std::string_view text, std::string_view displayName, const ParseOptions& options,
                            const RecordCallback& onRecord) {
  return parseText(text, displayName, options, onRecord, nullptr);
}

ParseResult parseZoneFile(const std::string& path, const ParseOptions& options,
                          const RecordCallback& onRecord) {
  SourceText content;
  std::string why;
  if (!content.open(path, why)) {
    ParseResult result;
    result.files.add(path);
    result.diagnostics.push_back(
        {Severity::Error, Location{0, 0, 0}, fmt::format("cannot read zone file: {}", why)});
    result.errors = 1;
    return result;
  }
  return parseText(content.text(), path, options, onRecord, &content);
}

}  // namespace zk::zonefile
