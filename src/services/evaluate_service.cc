#include "services/evaluate_service.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <future>
#include <limits>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>
#include <utility>

#include "scoring/draw.h"
#include "scoring/run_stats.h"

namespace xy {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;
using scoring::Condition;
using scoring::EvalRecord;
using scoring::EvalResult;
using scoring::EvalSubject;
using scoring::Evaluator;
using scoring::Reason;
using scoring::RecordStatus;
using scoring::RunEntry;

// The catalogue item whose records register a subject, and its 成立日期 field: the registration
// date the registered_years indicator reads (EvalSubject::registered_on).
constexpr std::string_view kRegistryItem = "subject_registry";
constexpr std::string_view kFoundedField = "DJ_CLRQ";

Result<std::string> ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Fail(ErrorCode::kNotFound, "model.file", "cannot read model file " + path.string(),
                "无法读取评价模型文件 " + path.string());
  }
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// ---- Field tests
// ----------------------------------------------------------------------------------

// The strings the model's `when` conditions look for in one field (contains strings and any_of
// values), and which of them a value contains, found in one pass over the value. A condition can
// only hold on a value that contains one of its own strings (a contains string, or an any_of value
// a part equals), so a value without any of them can be hidden from that condition: Evaluator::
// Annotate then skips it instead of searching it for every keyword of every overlay. Most penalty
// texts contain the keywords of one field or none, and annotating one falls from several
// microseconds to well under one. The hiding never changes a result: whenever one of a condition's
// strings is present the condition sees the value and runs its exact test.
using KeywordBits = std::array<std::uint64_t, 2>;
constexpr std::size_t kMaxKeywords = 128;

bool Intersects(const KeywordBits& a, const KeywordBits& b) {
  return ((a[0] & b[0]) | (a[1] & b[1])) != 0;
}

class FieldKeywords {
 public:
  explicit FieldKeywords(const std::set<std::string>& keywords)
      : keywords_(keywords.begin(), keywords.end()) {
    usable_ = keywords_.size() <= kMaxKeywords;
    prefix_ = kMaxPrefix;
    for (const std::string& k : keywords_) {
      prefix_ = std::min(prefix_, k.size());
      // A keyword must start a UTF-8 character (Find steps from character to character).
      if (!k.empty() && (static_cast<unsigned char>(k[0]) & 0xC0) == 0x80) usable_ = false;
    }
    // Too short a prefix would let nearly every position through the filter.
    if (prefix_ < kMinPrefix) usable_ = false;
    if (!usable_) return;
    for (const std::string& k : keywords_) {
      Set(Hash(k.data()));
      heads_.push_back(Head(k.data()));
    }
  }

  // False: too many keywords, or one too short to filter by; the field is never hidden.
  bool usable() const { return usable_; }
  const std::vector<std::string>& keywords() const { return keywords_; }

  // Bit i: the value contains keywords()[i]. A keyword starts a UTF-8 character, so the value is
  // walked character by character (three bytes at a time through Chinese text); a malformed
  // sequence is stepped through byte by byte, so no possible start is ever skipped. A position
  // passes a filter of the keywords' first bytes (two Chinese characters) before any comparison.
  KeywordBits Find(std::string_view text) const {
    KeywordBits found{};
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t n = text.size();
    std::size_t i = 0;
    while (i + prefix_ <= n) {
      const char* at = text.data() + i;
      if (Test(Hash(at))) {
        const std::uint32_t head = Head(at);
        const std::string_view rest = text.substr(i);
        for (std::size_t k = 0; k < keywords_.size(); ++k) {
          if (heads_[k] == head && rest.starts_with(keywords_[k])) {
            found[k >> 6] |= std::uint64_t{1} << (k & 63);
          }
        }
      }
      const unsigned char lead = p[i];
      std::size_t len = lead < 0x80    ? 1
                        : lead >= 0xF0 ? 4
                        : lead >= 0xE0 ? 3
                        : lead >= 0xC0 ? 2
                                       : 1;
      for (std::size_t c = 1; c < len; ++c) {
        if (i + c >= n || (p[i + c] & 0xC0) != 0x80) {  // not a continuation: resynchronise here
          len = c;
          break;
        }
      }
      i += len;
    }
    return found;
  }

 private:
  static constexpr std::size_t kMinPrefix = 3;
  static constexpr std::size_t kMaxPrefix = 6;
  // The first prefix_ bytes, hashed into the filter.
  std::uint32_t Hash(const char* p) const {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < prefix_; ++i) v = v << 8 | static_cast<unsigned char>(p[i]);
    return static_cast<std::uint32_t>((v * 0x9E3779B97F4A7C15ull) >> (64 - kFilterBitsLog2));
  }
  // The first three bytes (every keyword has them), compared before the bytes themselves.
  static std::uint32_t Head(const char* p) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(p[0])) |
           static_cast<std::uint32_t>(static_cast<unsigned char>(p[1])) << 8 |
           static_cast<std::uint32_t>(static_cast<unsigned char>(p[2])) << 16;
  }
  void Set(std::uint32_t h) { bits_[h >> 6] |= std::uint64_t{1} << (h & 63); }
  bool Test(std::uint32_t h) const { return (bits_[h >> 6] >> (h & 63)) & 1; }

  std::vector<std::string> keywords_;
  std::vector<std::uint32_t> heads_;
  // A 16,384-bit filter of keyword prefixes: 2 KB, so the filters of a record's fields stay in the
  // first-level cache; with fewer than 128 keywords a field, under 1 % of positions pass it.
  static constexpr int kFilterBitsLog2 = 14;
  std::array<std::uint64_t, (1u << kFilterBitsLog2) / 64> bits_{};
  std::size_t prefix_ = kMaxPrefix;
  bool usable_ = true;
};

// The evaluator's `when` test (scoring/model.h Condition), for the key-field membership rules:
// any_of compares each part of a multi-valued value (split at ; , ； 、 ，, spaces trimmed);
// contains looks for a substring. Holds when any of the fields matches.
bool AnyPartIn(std::string_view v, const std::vector<std::string>& values) {
  static constexpr std::array<std::string_view, 5> kSeps = {";", ",", "；", "、", "，"};
  while (true) {
    std::size_t cut = std::string_view::npos;
    std::size_t len = 0;
    for (std::string_view s : kSeps) {
      const std::size_t p = v.find(s);
      if (p < cut) {
        cut = p;
        len = s.size();
      }
    }
    std::string_view part = v.substr(0, cut);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    if (!part.empty() && std::find(values.begin(), values.end(), part) != values.end()) return true;
    if (cut == std::string_view::npos) return false;
    v.remove_prefix(cut + len);
  }
}

template <typename Lookup>
bool Holds(const Condition& c, const Lookup& field) {
  for (const std::string& f : c.fields) {
    const std::string_view v = field(f);
    if (v.empty()) continue;
    if (!c.any_of.empty()) {
      if (AnyPartIn(v, c.any_of)) return true;
    } else {
      for (const std::string& s : c.contains) {
        if (v.find(s) != std::string_view::npos) return true;
      }
    }
  }
  return false;
}

// The evaluator's "counts on D" rules (scoring/evaluator.h), for key-field membership.
bool CountsOn(const EvalRecord& r, Date d) {
  if (!r.published) return false;
  if (r.decided_on && *r.decided_on > d) return false;
  if (r.publicity_from && d < *r.publicity_from) return false;
  if (r.publicity_until && d >= *r.publicity_until) return false;
  if (r.ends_on && d >= *r.ends_on) return false;
  if (r.status != RecordStatus::kActive && (!r.status_on || d >= *r.status_on)) return false;
  return true;
}

// ---- The plan: what to read and how to annotate it
// -------------------------------------------------

constexpr std::size_t kMaxPlanFields = 32;

// How a field is shown to one condition: always, or only when the value contains one of `mask`.
struct FieldGate {
  std::int16_t field = -1;  // index into PlanItem::fields; -1 = a field the item does not read
  bool always = true;
  KeywordBits mask{};
};

// A subject belongs to an overlay's key field when a counting record of `items` meets every
// condition of `when` (one rule per own indicator of the overlay with conditions).
struct MemberRule {
  std::uint32_t bit = 0;  // Evaluator::IndustryMask of the overlay
  std::vector<std::string> items;
  std::vector<Condition> when;
};

struct PlanItem {
  std::string code;
  std::uint16_t model_item = scoring::kUnusedItem;  // Evaluator::ItemIndex
  int founded_field = -1;                           // the registry item: index of DJ_CLRQ
  std::vector<std::string> fields;                  // as scanned
  std::vector<const FieldKeywords*> keywords;       // per field; null = never hidden
  // The field names Annotate asks for are the compiled model's own strings, one per condition, so
  // their addresses tell which condition is asking: address → gate, by open addressing.
  std::vector<std::pair<const char*, FieldGate>> asks;
  struct RuleGate {
    const MemberRule* rule;
    std::vector<std::vector<FieldGate>> fields;  // per condition, per field of the condition
  };
  std::vector<RuleGate> rules;

  static std::size_t Slot(const char* p, std::size_t size) {
    return (reinterpret_cast<std::uintptr_t>(p) >> 3) * 0x9E3779B97F4A7C15ull >> 40 & (size - 1);
  }
  const FieldGate* Ask(const char* p) const {
    if (asks.empty()) return nullptr;
    for (std::size_t i = Slot(p, asks.size());; i = (i + 1) & (asks.size() - 1)) {
      if (asks[i].first == p) return &asks[i].second;
      if (asks[i].first == nullptr) return nullptr;
    }
  }
};

class EvalPlan {
 public:
  explicit EvalPlan(const LoadedModel& m) {
    const scoring::Model& model = m.model;
    const Evaluator& ev = m.evaluator;
    // Attribute fields are parsed by Annotate and must never be hidden.
    std::set<std::pair<std::string, std::string>> attributes;
    auto add_attributes = [&](const auto& items) {
      for (const auto& [item, f] : items) {
        for (const std::string* name :
             {&f.amount_field, &f.year_field, &f.valid_until_field, &f.removed_on_field}) {
          if (!name->empty()) attributes.emplace(item, *name);
        }
      }
    };
    add_attributes(model.items);
    for (const scoring::Overlay& o : model.overlays) add_attributes(o.items);
    std::map<std::string, std::set<std::string>> keywords;  // field → condition strings
    auto add_keywords = [&](const std::vector<scoring::Indicator>& indicators) {
      for (const scoring::Indicator& ind : indicators) {
        for (const Condition& c : ind.when) {
          for (const std::string& f : c.fields) {
            keywords[f].insert(c.contains.begin(), c.contains.end());
            keywords[f].insert(c.any_of.begin(), c.any_of.end());
          }
        }
      }
    };
    add_keywords(model.indicators);
    for (const scoring::Overlay& o : model.overlays) {
      add_keywords(o.indicators);
      const std::uint32_t bit = ev.IndustryMask(std::span<const std::string>(&o.industry, 1));
      for (const scoring::Indicator& ind : o.indicators) {
        if (ind.when.empty() || ind.items.empty()) continue;
        const bool known = std::any_of(rules_.begin(), rules_.end(), [&](const MemberRule& r) {
          return r.bit == bit && r.items == ind.items && r.when == ind.when;
        });
        if (!known) rules_.push_back({bit, ind.items, ind.when});
      }
    }
    for (auto& [field, words] : keywords) keywords_.emplace(field, FieldKeywords(words));

    for (const std::string& code : ev.items()) {
      PlanItem item;
      item.code = code;
      item.model_item = ev.ItemIndex(code);
      item.fields = ev.FieldsRead(code);
      items_.push_back(std::move(item));
    }
    auto registry = std::find_if(items_.begin(), items_.end(),
                                 [](const PlanItem& i) { return i.code == kRegistryItem; });
    if (registry == items_.end()) {
      PlanItem item;
      item.code = std::string(kRegistryItem);
      items_.push_back(std::move(item));
      registry = items_.end() - 1;
    }
    auto founded = std::find(registry->fields.begin(), registry->fields.end(), kFoundedField);
    if (founded == registry->fields.end()) {
      registry->fields.emplace_back(kFoundedField);
      founded = registry->fields.end() - 1;
    }
    registry->founded_field = static_cast<int>(founded - registry->fields.begin());
    for (PlanItem& item : items_) {
      for (const std::string& f : item.fields) {
        auto kw = keywords_.find(f);
        const bool hideable =
            kw != keywords_.end() && kw->second.usable() && !attributes.contains({item.code, f});
        item.keywords.push_back(hideable ? &kw->second : nullptr);
      }
      if (item.model_item != scoring::kUnusedItem) LearnAsks(ev, item);
      for (const MemberRule& r : rules_) {
        if (std::find(r.items.begin(), r.items.end(), item.code) == r.items.end()) continue;
        PlanItem::RuleGate gate{&r, {}};
        for (const Condition& c : r.when) {
          std::vector<FieldGate>& fields = gate.fields.emplace_back();
          for (const std::string& f : c.fields) {
            FieldGate g;
            auto k = std::find(item.fields.begin(), item.fields.end(), f);
            if (k != item.fields.end()) {
              g.field = static_cast<std::int16_t>(k - item.fields.begin());
              if (const FieldKeywords* words = item.keywords[static_cast<std::size_t>(g.field)]) {
                g.always = false;
                Condition one = c;
                one.fields = {f};
                for (std::size_t i = 0; i < words->keywords().size(); ++i) {
                  const std::string& w = words->keywords()[i];
                  if (Holds(one, [&](std::string_view) { return std::string_view(w); })) {
                    g.mask[i >> 6] |= std::uint64_t{1} << (i & 63);
                  }
                }
              }
            }
            fields.push_back(g);
          }
        }
        item.rules.push_back(std::move(gate));
      }
    }
  }
  EvalPlan(const EvalPlan&) = delete;
  EvalPlan& operator=(const EvalPlan&) = delete;

  RecordScanSpec Spec(BatchId known_at, std::vector<SubjectId> subjects) const {
    RecordScanSpec spec;
    for (const PlanItem& item : items_) spec.items.push_back({item.code, item.fields});
    spec.subjects = std::move(subjects);
    spec.known_at = known_at;
    return spec;
  }
  const std::vector<PlanItem>& items() const { return items_; }

 private:
  // Asks Annotate which field names it reads for the item (it reads every one on every record),
  // and for each condition's name, which keywords make that condition hold on their own: a record
  // whose value contains none of those is shown an empty value for that name.
  static void LearnAsks(const Evaluator& ev, PlanItem& item) {
    std::vector<const char*> asked;
    std::vector<std::string> names;
    {
      scoring::EvalRecord probe;
      auto record = [&](std::string_view f) -> std::string_view {
        if (std::find(asked.begin(), asked.end(), f.data()) == asked.end()) {
          asked.push_back(f.data());
          names.emplace_back(f);
        }
        return {};
      };
      (void)ev.Annotate(item.code, record, probe);
    }
    std::size_t size = 8;
    while (size < 2 * asked.size()) size *= 2;
    item.asks.assign(size, {nullptr, FieldGate{}});
    for (std::size_t a = 0; a < asked.size(); ++a) {
      FieldGate g;
      auto k = std::find(item.fields.begin(), item.fields.end(), names[a]);
      if (k != item.fields.end()) g.field = static_cast<std::int16_t>(k - item.fields.begin());
      const FieldKeywords* words =
          g.field >= 0 ? item.keywords[static_cast<std::size_t>(g.field)] : nullptr;
      if (words != nullptr) {
        g.always = false;
        for (std::size_t i = 0; i < words->keywords().size() && !g.always; ++i) {
          const std::string& w = words->keywords()[i];
          scoring::EvalRecord probe;
          auto one = [&](std::string_view f) -> std::string_view {
            return f.data() == asked[a] ? std::string_view(w) : std::string_view();
          };
          if (!ev.Annotate(item.code, one, probe)) {
            g.always = true;  // not a condition's name after all: never hide it
          } else if (probe.tags != 0) {
            g.mask[i >> 6] |= std::uint64_t{1} << (i & 63);
          }
        }
      }
      for (std::size_t i = PlanItem::Slot(asked[a], size);; i = (i + 1) & (size - 1)) {
        if (item.asks[i].first == nullptr) {
          item.asks[i] = {asked[a], g};
          break;
        }
      }
    }
  }

  std::vector<PlanItem> items_;
  std::map<std::string, FieldKeywords> keywords_;
  std::deque<MemberRule> rules_;  // deque: PlanItem::rules point into it
};

// ---- Reading the input: subjects and annotated records, grouped by subject
// -----------------------

// Subject id → position in the evaluated subjects: a dense table when ids are dense (they are the
// store's row ids), else a binary search.
class SubjectIndex {
 public:
  explicit SubjectIndex(const std::vector<EvalSubject>& subjects) : subjects_(subjects) {
    if (subjects.empty()) return;
    const std::int64_t max = subjects.back().id;
    if (max >= 0 && max <= 4 * static_cast<std::int64_t>(subjects.size()) + (1 << 20)) {
      dense_.assign(static_cast<std::size_t>(max) + 1, -1);
      for (std::size_t i = 0; i < subjects.size(); ++i) {
        if (subjects[i].id >= 0)
          dense_[static_cast<std::size_t>(subjects[i].id)] = static_cast<std::int32_t>(i);
      }
    }
  }
  void Prefetch(SubjectId id) const {
    if (id >= 0 && static_cast<std::size_t>(id) < dense_.size()) {
      __builtin_prefetch(&dense_[static_cast<std::size_t>(id)]);
    }
  }
  std::int32_t Find(SubjectId id) const {
    if (!dense_.empty()) {
      return id >= 0 && static_cast<std::size_t>(id) < dense_.size()
                 ? dense_[static_cast<std::size_t>(id)]
                 : -1;
    }
    auto it = std::lower_bound(subjects_.begin(), subjects_.end(), id,
                               [](const EvalSubject& s, SubjectId v) { return s.id < v; });
    return it != subjects_.end() && it->id == id ? static_cast<std::int32_t>(it - subjects_.begin())
                                                 : -1;
  }

 private:
  const std::vector<EvalSubject>& subjects_;
  std::vector<std::int32_t> dense_;
};

struct AnnotatedChunk {
  std::vector<EvalRecord> records;  // EvalRecord::subject holds the subject's position
  std::vector<std::pair<std::int32_t, std::int32_t>> founded;  // (position, day number)
};

// Everything one evaluation reads, grouped by subject.
struct EvalInput {
  std::vector<EvalSubject> subjects;  // ascending id
  std::vector<std::string> usccs;     // per subject
  std::deque<AnnotatedChunk> chunks;
  std::vector<std::uint64_t> order;  // (chunk << 32 | index), grouped by subject
  std::vector<std::size_t> begin;    // subject i's records: order[begin[i] .. begin[i + 1])
  std::int64_t records = 0;
};

class Annotator {
 public:
  Annotator(const EvalPlan& plan, const Evaluator& ev, Date as_of, const SubjectIndex& index,
            std::vector<std::atomic<std::uint32_t>>& industries)
      : plan_(plan), ev_(ev), as_of_(as_of), index_(index), industries_(industries) {}

  Result<void> Run(const RecordChunk& in, AnnotatedChunk& out) const {
    out.records.reserve(in.records.size());
    std::array<std::string_view, kMaxPlanFields> values;
    std::array<KeywordBits, kMaxPlanFields> found;
    for (std::size_t at = 0; at < in.records.size(); ++at) {
      const ScannedRecord& sr = in.records[at];
      // The subject table is larger than the cache and read in random order: ask ahead.
      if (at + 8 < in.records.size()) index_.Prefetch(in.records[at + 8].subject);
      const std::int32_t pos = index_.Find(sr.subject);
      if (pos < 0) continue;  // a subject that is not evaluated (a natural person)
      const PlanItem& item = plan_.items()[sr.item];
      const std::size_t n = std::min(item.fields.size(), kMaxPlanFields);
      for (std::size_t k = 0; k < n; ++k) {
        values[k] = in.Value(sr.first_value + k);
        if (item.keywords[k] != nullptr) found[k] = item.keywords[k]->Find(values[k]);
      }
      if (item.founded_field >= 0) {
        const std::string_view v = values[static_cast<std::size_t>(item.founded_field)];
        if (!v.empty()) {
          Result<Date> d = ParseIsoDate(v);
          if (!d) {
            return Fail(ErrorCode::kInvalidArgument, "eval.field",
                        "record " + std::to_string(sr.id) + " (" + item.code + "): " +
                            std::string(kFoundedField) + " '" + std::string(v) + "' is not a date",
                        "记录 " + std::to_string(sr.id) + " 的成立日期“" + std::string(v) +
                            "”不是有效日期");
          }
          out.founded.emplace_back(pos, static_cast<std::int32_t>(ToDayNumber(*d)));
        }
      }
      if (item.model_item == scoring::kUnusedItem) continue;
      EvalRecord r;
      r.id = sr.id;
      r.severity = sr.severity;
      r.status = sr.status == StoredRecordStatus::kActive     ? RecordStatus::kActive
                 : sr.status == StoredRecordStatus::kRepaired ? RecordStatus::kRepaired
                                                              : RecordStatus::kWithdrawn;
      r.published = sr.published;
      r.decided_on = sr.decided_on;
      r.publicity_from = sr.publicity_from;
      r.publicity_until = sr.publicity_until;
      auto shown = [&](const FieldGate& g) -> std::string_view {
        if (g.field < 0) return {};
        const auto k = static_cast<std::size_t>(g.field);
        return g.always || Intersects(found[k], g.mask) ? values[k] : std::string_view();
      };
      auto lookup = [&](std::string_view f) -> std::string_view {
        if (const FieldGate* g = item.Ask(f.data())) return shown(*g);
        for (std::size_t k = 0; k < n; ++k) {  // a name the plan did not learn: never hidden
          if (item.fields[k] == f) return values[k];
        }
        return {};
      };
      if (Result<void> a = ev_.Annotate(item.code, lookup, r); !a) return a;
      r.subject = pos;
      if (!item.rules.empty() && CountsOn(r, as_of_)) {
        std::uint32_t mask = 0;
        for (const PlanItem::RuleGate& rule : item.rules) {
          if ((mask & rule.rule->bit) != 0) continue;
          bool all = true;
          for (std::size_t c = 0; c < rule.rule->when.size() && all; ++c) {
            const Condition& cond = rule.rule->when[c];
            bool any = false;
            for (std::size_t f = 0; f < cond.fields.size() && !any; ++f) {
              const std::string_view v = shown(rule.fields[c][f]);
              if (v.empty()) continue;
              any = Holds(cond, [&](std::string_view name) {
                return name == cond.fields[f] ? v : std::string_view();
              });
            }
            all = any;
          }
          if (all) mask |= rule.rule->bit;
        }
        if (mask != 0)
          industries_[static_cast<std::size_t>(pos)].fetch_or(mask, std::memory_order_relaxed);
      }
      out.records.push_back(r);
    }
    return {};
  }

 private:
  const EvalPlan& plan_;
  const Evaluator& ev_;
  Date as_of_;
  const SubjectIndex& index_;
  std::vector<std::atomic<std::uint32_t>>& industries_;
};

// Annotates the chunks a scan hands over on worker threads while the scan goes on, so reading the
// store and annotating overlap. Chunks keep the order they arrive in.
class AnnotatingVisitor final : public RecordVisitor {
 public:
  AnnotatingVisitor(const Annotator& annotator, std::deque<AnnotatedChunk>& out, int threads)
      : annotator_(annotator), out_(out) {
    for (int t = 0; t < threads; ++t) workers_.emplace_back([this] { Work(); });
  }
  ~AnnotatingVisitor() override { (void)Finish(); }

  Result<void> Visit(RecordChunk chunk) override {
    std::unique_lock lock(mu_);
    if (error_) return std::unexpected(*error_);
    out_.emplace_back();
    AnnotatedChunk* target = &out_.back();
    if (workers_.empty()) {
      lock.unlock();
      return annotator_.Run(chunk, *target);
    }
    // A few chunks in flight keep the workers busy without holding the whole scan in memory.
    room_.wait(lock, [&] { return queue_.size() < 2 * workers_.size() || error_; });
    if (error_) return std::unexpected(*error_);
    queue_.push_back({std::move(chunk), target});
    ready_.notify_one();
    return {};
  }

  Result<void> Finish() {
    {
      std::lock_guard lock(mu_);
      closed_ = true;
    }
    ready_.notify_all();
    workers_.clear();  // joins
    if (error_) return std::unexpected(*error_);
    return {};
  }

 private:
  struct Job {
    RecordChunk chunk;
    AnnotatedChunk* out;
  };

  void Work() {
    while (true) {
      Job job;
      {
        std::unique_lock lock(mu_);
        ready_.wait(lock, [&] { return !queue_.empty() || closed_; });
        if (queue_.empty()) return;
        job = std::move(queue_.front());
        queue_.pop_front();
      }
      room_.notify_one();
      Result<void> r = annotator_.Run(job.chunk, *job.out);
      if (!r) {
        std::lock_guard lock(mu_);
        if (!error_) error_ = r.error();
        room_.notify_all();
      }
    }
  }

  const Annotator& annotator_;
  std::deque<AnnotatedChunk>& out_;
  std::mutex mu_;
  std::condition_variable ready_, room_;
  std::deque<Job> queue_;
  std::optional<Error> error_;
  bool closed_ = false;
  std::vector<std::jthread> workers_;  // last: joined before the rest is destroyed
};

class SubjectCollector final : public SubjectVisitor {
 public:
  explicit SubjectCollector(EvalInput& in) : in_(in) {}
  Result<void> Visit(std::span<const EvalSubjectRow> rows) override {
    for (const EvalSubjectRow& row : rows) {
      if (row.kind == SubjectKind::kPerson) continue;
      EvalSubject s;
      s.id = row.id;
      s.kind = row.kind;
      s.region_code = row.region_code;
      in_.subjects.push_back(s);
      in_.usccs.push_back(row.uscc);
    }
    return {};
  }

 private:
  EvalInput& in_;
};

// Reads the subjects (all, or those of `only`) and their records as of `known_at`, annotated and
// grouped by subject.
Result<EvalInput> ReadInput(Store& store, const LoadedModel& m, const EvalPlan& plan, Date as_of,
                            BatchId known_at, const std::vector<SubjectId>* only, int threads) {
  EvalInput in;
  if (only != nullptr && only->empty()) return in;
  SubjectCollector collect(in);
  if (Result<void> r = store.ScanEvalSubjects(
          only != nullptr ? std::span<const SubjectId>(*only) : std::span<const SubjectId>(),
          collect);
      !r) {
    return std::unexpected(r.error());
  }
  if (in.subjects.empty()) return in;
  SubjectIndex index(in.subjects);
  std::vector<std::atomic<std::uint32_t>> industries(in.subjects.size());
  Annotator annotator(plan, m.evaluator, as_of, index, industries);
  std::vector<SubjectId> ids;
  if (only != nullptr) {
    for (const EvalSubject& s : in.subjects) ids.push_back(s.id);
  }
  RecordScanSpec spec = plan.Spec(known_at, std::move(ids));
  spec.threads = threads;
  {
    // A handful of subjects is read through the index: not worth threads.
    AnnotatingVisitor visitor(annotator, in.chunks,
                              only != nullptr && only->size() < 1000 ? 0 : threads);
    Result<void> scanned = store.ScanRecords(spec, visitor);
    Result<void> finished = visitor.Finish();
    if (!scanned) return std::unexpected(scanned.error());
    if (!finished) return std::unexpected(finished.error());
  }
  // 成立日期 (the earliest, should a subject have two registrations) and key fields.
  std::vector<std::int32_t> founded(in.subjects.size(), std::numeric_limits<std::int32_t>::max());
  for (const AnnotatedChunk& c : in.chunks) {
    for (auto [pos, day] : c.founded)
      founded[static_cast<std::size_t>(pos)] =
          std::min(founded[static_cast<std::size_t>(pos)], day);
  }
  for (std::size_t i = 0; i < in.subjects.size(); ++i) {
    if (founded[i] != std::numeric_limits<std::int32_t>::max()) {
      in.subjects[i].registered_on = FromDayNumber(founded[i]);
    }
    in.subjects[i].industries = industries[i].load(std::memory_order_relaxed);
  }
  // Group the records by subject: a counting sort over the subjects' positions.
  in.begin.assign(in.subjects.size() + 1, 0);
  for (const AnnotatedChunk& c : in.chunks) {
    for (const EvalRecord& r : c.records) ++in.begin[static_cast<std::size_t>(r.subject) + 1];
    in.records += static_cast<std::int64_t>(c.records.size());
  }
  for (std::size_t i = 1; i < in.begin.size(); ++i) in.begin[i] += in.begin[i - 1];
  in.order.resize(static_cast<std::size_t>(in.records));
  std::vector<std::size_t> next(in.begin.begin(), in.begin.end() - 1);
  for (std::size_t c = 0; c < in.chunks.size(); ++c) {
    const std::vector<EvalRecord>& records = in.chunks[c].records;
    for (std::size_t k = 0; k < records.size(); ++k) {
      in.order[next[static_cast<std::size_t>(records[k].subject)]++] = (std::uint64_t{c} << 32) | k;
    }
  }
  return in;
}

// ---- Encoding a result
// ----------------------------------------------------------------------------

void AppendJsonString(std::string& out, std::string_view s) {
  out.push_back('"');
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(ch);
    } else if (c < 0x20) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    } else {
      out.push_back(ch);
    }
  }
  out.push_back('"');
}

// [indicator, dimension, points, score_effect, [record ids], rule]. In an industry's reasons the
// record ids are 0 when they are those of the public reason of the same indicator and rule: a
// subject's records usually count the same way in every table, and a licence-rich subject in
// several key fields would otherwise store the same long lists once per field.
void AppendReasons(std::string& out, const std::vector<Reason>& reasons,
                   const std::vector<Reason>* public_reasons) {
  out.push_back('[');
  for (std::size_t i = 0; i < reasons.size(); ++i) {
    const Reason& r = reasons[i];
    if (i > 0) out.push_back(',');
    out.push_back('[');
    AppendJsonString(out, r.indicator);
    out.push_back(',');
    AppendJsonString(out, r.dimension);
    out.push_back(',');
    AppendJsonString(out, r.points.ToString());
    out.push_back(',');
    AppendJsonString(out, r.score_effect.ToString());
    out.push_back(',');
    const bool same =
        public_reasons != nullptr && !r.record_ids.empty() &&
        std::any_of(public_reasons->begin(), public_reasons->end(), [&](const Reason& p) {
          return p.indicator == r.indicator && p.rule == r.rule && p.record_ids == r.record_ids;
        });
    if (same) {
      out.push_back('0');
    } else {
      out.push_back('[');
      for (std::size_t k = 0; k < r.record_ids.size(); ++k) {
        if (k > 0) out.push_back(',');
        out += std::to_string(r.record_ids[k]);
      }
      out.push_back(']');
    }
    out.push_back(',');
    AppendJsonString(out, r.rule);
    out.push_back(']');
  }
  out.push_back(']');
}

// The stored form of a result. detail_json: {"d": [dimension scores in model order], "r":
// [reasons], "x": [[industry, score, grade, overlay score, [reasons]], …]}; numbers that are
// Decimals are strings, so they read back exactly. industries: "code:score:grade" joined by ';'.
void EncodeResult(const EvalResult& r, EvaluationResultRow& row) {
  row.subject = r.subject;
  row.score = r.score;
  row.grade = r.grade;
  row.industries.clear();
  row.detail_json.clear();
  std::string& d = row.detail_json;
  d.reserve(512);
  d += "{\"d\":[";
  for (std::size_t i = 0; i < r.dimensions.size(); ++i) {
    if (i > 0) d.push_back(',');
    AppendJsonString(d, r.dimensions[i].ToString());
  }
  d += "],\"r\":";
  AppendReasons(d, r.reasons, nullptr);
  d += ",\"x\":[";
  for (std::size_t i = 0; i < r.industries.size(); ++i) {
    const scoring::IndustryResult& x = r.industries[i];
    if (i > 0) {
      d.push_back(',');
      row.industries.push_back(';');
    }
    row.industries.append(x.industry);
    row.industries.push_back(':');
    row.industries += std::to_string(x.score);
    row.industries.push_back(':');
    row.industries += x.grade;
    d.push_back('[');
    AppendJsonString(d, x.industry);
    d.push_back(',');
    d += std::to_string(x.score);
    d.push_back(',');
    AppendJsonString(d, x.grade);
    d.push_back(',');
    d += std::to_string(x.overlay_score);
    d.push_back(',');
    AppendReasons(d, x.reasons, &r.reasons);
    d.push_back(']');
  }
  d += "]}";
}

struct IndustryGrade {
  std::string industry;
  int score = 0;
  std::string grade;
};

std::vector<IndustryGrade> ParseIndustries(std::string_view s) {
  std::vector<IndustryGrade> out;
  while (!s.empty()) {
    const std::size_t end = std::min(s.find(';'), s.size());
    std::string_view part = s.substr(0, end);
    const std::size_t a = part.find(':');
    const std::size_t b = part.rfind(':');
    if (a != std::string_view::npos && b != a) {
      IndustryGrade g;
      g.industry = std::string(part.substr(0, a));
      g.score = std::atoi(std::string(part.substr(a + 1, b - a - 1)).c_str());
      g.grade = std::string(part.substr(b + 1));
      out.push_back(std::move(g));
    }
    s.remove_prefix(std::min(s.size(), end + 1));
  }
  return out;
}

// ---- Evaluating
// -----------------------------------------------------------------------------------

// Subjects [b, e) of `in`, evaluated on up to `threads` threads and encoded into `rows` (one per
// subject, in subject order). `rows` is reused from chunk to chunk, so its strings keep their
// capacity and encoding a result seldom allocates.
void EvaluateRange(const EvalInput& in, const Evaluator& ev, Date as_of, std::size_t b,
                   std::size_t e, int threads, std::vector<EvaluationResultRow>& rows) {
  rows.resize(e - b);
  auto work = [&](std::size_t from, std::size_t to) {
    std::vector<EvalRecord> scratch;
    for (std::size_t s = from; s < to; ++s) {
      scratch.clear();
      const std::size_t last = in.begin[s + 1];
      for (std::size_t k = in.begin[s]; k < last; ++k) {
        // Records are spread over the whole scan: fetch the next ones while copying this one.
        if (k + 4 < in.order.size()) {
          const std::uint64_t ahead = in.order[k + 4];
          __builtin_prefetch(in.chunks[ahead >> 32].records.data() + (ahead & 0xFFFFFFFFu));
        }
        const std::uint64_t ref = in.order[k];
        scratch.push_back(in.chunks[ref >> 32].records[ref & 0xFFFFFFFFu]);
      }
      EncodeResult(ev.Evaluate(in.subjects[s], scratch, as_of), rows[s - b]);
    }
  };
  const std::size_t n = e - b;
  const std::size_t parts = std::clamp<std::size_t>(static_cast<std::size_t>(std::max(1, threads)),
                                                    1, std::max<std::size_t>(1, n / 64));
  if (parts <= 1) {
    work(b, e);
    return;
  }
  std::vector<std::jthread> pool;
  const std::size_t step = (n + parts - 1) / parts;
  for (std::size_t p = 1; p < parts; ++p) {
    const std::size_t from = b + p * step;
    const std::size_t to = std::min(e, from + step);
    if (from < to) pool.emplace_back([&work, from, to] { work(from, to); });
  }
  work(b, std::min(e, b + step));
}

// Evaluates every subject of `in` chunk by chunk and hands each chunk's rows to `sink` in subject
// order, evaluating the next chunk while the sink stores (or compares) the current one. Two row
// buffers take turns.
template <typename Sink>
Result<void> EvaluateAll(const EvalInput& in, const Evaluator& ev, Date as_of,
                         const EvaluateOptions& o, Sink&& sink) {
  const std::size_t n = in.subjects.size();
  const std::size_t chunk = std::max<std::size_t>(1, o.chunk_subjects);
  if (n == 0) return {};
  std::array<std::vector<EvaluationResultRow>, 2> buffers;
  auto launch = [&](std::size_t b, std::vector<EvaluationResultRow>& rows) {
    return std::async(std::launch::async,
                      [&in, &ev, as_of, b, n, chunk, threads = o.threads, &rows] {
                        EvaluateRange(in, ev, as_of, b, std::min(n, b + chunk), threads, rows);
                      });
  };
  std::future<void> next = launch(0, buffers[0]);
  for (std::size_t b = 0, turn = 0; b < n; b += chunk, turn ^= 1) {
    next.get();
    if (b + chunk < n) next = launch(b + chunk, buffers[turn ^ 1]);
    if (Result<void> r = sink(buffers[turn]); !r) {
      if (next.valid()) next.wait();
      return r;
    }
  }
  return {};
}

// ---- Run statistics
// -------------------------------------------------------------------------------

class EntryCollector final : public EvaluationResultVisitor {
 public:
  explicit EntryCollector(std::vector<RunEntry>& out) : out_(out) {}
  Result<void> Visit(std::span<const EvaluationResultRow> rows) override {
    for (const EvaluationResultRow& r : rows) out_.push_back({r.subject, r.score, r.grade});
    return {};
  }

 private:
  std::vector<RunEntry>& out_;
};

Result<std::vector<RunEntry>> ReadEntries(Store& store, std::int64_t run) {
  std::vector<RunEntry> out;
  EntryCollector collect(out);
  if (Result<void> r = store.ScanEvaluationResults(run, false, collect); !r) {
    return std::unexpected(r.error());
  }
  return out;
}

std::string_view PsiReading(Decimal psi) {
  // The usual reading in credit-risk practice (scoring/run_stats.h).
  if (psi < Decimal::FromMicros(100'000)) return "stable";
  if (psi <= Decimal::FromMicros(250'000)) return "some_shift";
  return "significant_shift";
}

Result<Json> StatsJson(
    const Evaluator& ev, std::span<const RunEntry> current,
    const std::optional<std::pair<std::int64_t, std::vector<RunEntry>>>& previous) {
  Json j;
  Result<scoring::GradeDistribution> dist = scoring::Distribution(current, ev.grades());
  if (!dist) return std::unexpected(dist.error());
  Json grades = Json::array();
  for (const scoring::GradeCount& g : dist->grades) {
    const scoring::GradeBand* band = nullptr;
    for (const scoring::GradeBand& b : ev.grades()) {
      if (b.code == g.grade) band = &b;
    }
    grades.push_back({{"grade", g.grade},
                      {"name", band != nullptr ? band->name : ""},
                      {"min", band != nullptr ? band->min : 0},
                      {"max", band != nullptr ? band->max : 0},
                      {"count", g.count},
                      {"percent", g.percent.ToString()}});
  }
  j["distribution"] = {{"total", dist->total}, {"grades", grades}};
  if (!previous) {
    j["previous_run"] = nullptr;
    j["migration"] = nullptr;
    j["psi"] = nullptr;
    return j;
  }
  j["previous_run"] = previous->first;
  Result<scoring::Migration> m = scoring::MigrationMatrix(previous->second, current, ev.grades());
  if (!m) return std::unexpected(m.error());
  j["migration"] = {{"grades", m->grades},
                    {"matrix", m->counts},
                    {"new_subjects", m->new_subjects},
                    {"gone_subjects", m->gone_subjects},
                    {"stayed", m->stayed},
                    {"upgraded", m->upgraded},
                    {"downgraded", m->downgraded}};
  if (previous->second.empty() || current.empty()) {
    j["psi"] = nullptr;
    return j;
  }
  Result<scoring::Psi> psi = scoring::PopulationStability(previous->second, current);
  if (!psi) return std::unexpected(psi.error());
  Json bins = Json::array();
  for (const scoring::PsiBin& b : psi->bins) {
    bins.push_back(
        {{"min", b.min}, {"max", b.max}, {"previous", b.expected}, {"current", b.actual}});
  }
  j["psi"] = {
      {"value", psi->value.ToString()}, {"reading", PsiReading(psi->value)}, {"bins", bins}};
  return j;
}

std::unexpected<Error> NoRun(std::int64_t run) {
  if (run == 0) {
    return Fail(ErrorCode::kNotFound, "evaluate.run",
                "no evaluation run yet: run `xinyong evaluate`",
                "尚无信用评价结果，请先运行 xinyong evaluate");
  }
  return Fail(ErrorCode::kNotFound, "evaluate.run", "no evaluation run " + std::to_string(run),
              "评价批次 " + std::to_string(run) + " 不存在");
}

double SecondsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

// ---- Model files
// ----------------------------------------------------------------------------------

Result<std::vector<ModelSource>> ReadModelFiles(const std::string& model_file,
                                                const std::string& industry_dir) {
  std::vector<ModelSource> out;
  Result<std::string> text = ReadText(model_file);
  if (!text) return std::unexpected(text.error());
  out.push_back({fs::path(model_file).filename().string(), std::move(*text)});
  if (industry_dir.empty()) return out;
  std::error_code ec;
  std::vector<fs::path> files;
  for (fs::directory_iterator it(industry_dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".toml" && it->is_regular_file()) files.push_back(it->path());
  }
  if (ec) {
    return Fail(ErrorCode::kNotFound, "model.file",
                "cannot read the overlay folder " + industry_dir,
                "无法读取行业评价模型文件夹 " + industry_dir);
  }
  std::sort(files.begin(), files.end(),
            [](const fs::path& a, const fs::path& b) { return a.filename() < b.filename(); });
  for (const fs::path& f : files) {
    Result<std::string> t = ReadText(f);
    if (!t) return std::unexpected(t.error());
    out.push_back({"industry/" + f.filename().string(), std::move(*t)});
  }
  return out;
}

Result<LoadedModel> LoadModel(std::vector<ModelSource> sources, const Catalog* catalog) {
  if (sources.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "model.invalid", "no model file", "缺少评价模型文件");
  }
  Result<scoring::Model> model = scoring::ParseModel(sources[0].text, sources[0].name);
  if (!model) return std::unexpected(model.error());
  for (std::size_t i = 1; i < sources.size(); ++i) {
    Result<scoring::Overlay> overlay = scoring::ParseOverlay(sources[i].text, sources[i].name);
    if (!overlay) return std::unexpected(overlay.error());
    if (Result<void> r = scoring::AttachOverlay(*model, std::move(*overlay)); !r) {
      return std::unexpected(r.error());
    }
  }
  if (catalog != nullptr) {
    if (Result<void> r = scoring::CheckModelAgainstCatalog(*model, *catalog); !r) {
      return std::unexpected(r.error());
    }
  }
  Result<Evaluator> ev = Evaluator::Compile(*model);
  if (!ev) return std::unexpected(ev.error());
  return LoadedModel{std::move(*model), std::move(*ev), std::move(sources)};
}

std::string EncodeModelSources(std::span<const ModelSource> sources) {
  nlohmann::json j = nlohmann::json::array();
  for (const ModelSource& s : sources) j.push_back({{"name", s.name}, {"text", s.text}});
  return j.dump();
}

Result<std::vector<ModelSource>> DecodeModelSources(const std::string& json) {
  std::vector<ModelSource> out;
  nlohmann::json j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!j.is_array()) {
    return Fail(ErrorCode::kInternal, "store.corrupt", "a run's stored model cannot be read",
                "评价批次中保存的评价模型无法读取");
  }
  for (const nlohmann::json& s : j) {
    if (!s.is_object() || !s.contains("name") || !s.contains("text") || !s["name"].is_string() ||
        !s["text"].is_string()) {
      return Fail(ErrorCode::kInternal, "store.corrupt", "a run's stored model cannot be read",
                  "评价批次中保存的评价模型无法读取");
    }
    out.push_back({s["name"].get<std::string>(), s["text"].get<std::string>()});
  }
  return out;
}

// ---- Runs
// -----------------------------------------------------------------------------------------

Result<Json> RunEvaluation(const EvaluateRequest& request, const EvaluateDeps& deps) {
  const auto start = std::chrono::steady_clock::now();
  Store& store = *deps.store;
  const LoadedModel& m = *deps.model;
  const Evaluator& ev = m.evaluator;
  Result<std::optional<EvaluationRunInfo>> latest = store.GetEvaluationRun(0);
  if (!latest) return std::unexpected(latest.error());

  EvaluationRunInfo info;
  info.model_version = ev.version();
  info.model_text = EncodeModelSources(m.sources);
  info.mode = request.incremental ? "incremental" : "full";
  if (request.incremental) {
    if (!*latest) {
      return Fail(
          ErrorCode::kFailedPrecondition, "evaluate.incremental",
          "an incremental evaluation needs an earlier run: run `xinyong evaluate --full` first",
          "增量评价需要已有的评价结果，请先运行 xinyong evaluate --full");
    }
    const EvaluationRunInfo& base = **latest;
    if (base.model_version != ev.version()) {
      return Fail(ErrorCode::kFailedPrecondition, "evaluate.incremental",
                  "the model is now " + ev.version() + ", the last run used " + base.model_version +
                      ": run a full evaluation",
                  "评价模型已变更（上次为 " + base.model_version + "），请运行全量评价");
    }
    if (request.as_of && *request.as_of != base.as_of) {
      return Fail(ErrorCode::kFailedPrecondition, "evaluate.incremental",
                  "an incremental run keeps the last run's as-of date " +
                      FormatIsoDate(base.as_of) + "; for " + FormatIsoDate(*request.as_of) +
                      " run a full evaluation",
                  "增量评价沿用上次评价的基准日 " + FormatIsoDate(base.as_of) + "，如需按 " +
                      FormatIsoDate(*request.as_of) + " 评价请运行全量评价");
    }
    info.as_of = base.as_of;
    info.base_run = base.id;
  } else {
    info.as_of = request.as_of ? *request.as_of : deps.clock->Today();
  }
  Result<BatchId> snapshot = store.LastBatch();
  if (!snapshot) return std::unexpected(snapshot.error());
  info.snapshot = *snapshot;

  // The previous run's entries, for the migration matrix and PSI (and, incremental, to carry over).
  std::optional<std::pair<std::int64_t, std::vector<RunEntry>>> previous;
  if (*latest) {
    Result<std::vector<RunEntry>> entries = ReadEntries(store, (*latest)->id);
    if (!entries) return std::unexpected(entries.error());
    previous.emplace((*latest)->id, std::move(*entries));
  }

  const EvalPlan plan(m);
  std::vector<SubjectId> touched;
  if (request.incremental) {
    Result<std::vector<SubjectId>> changed =
        store.SubjectsChangedBetween((*latest)->snapshot, info.snapshot);
    if (!changed) return std::unexpected(changed.error());
    touched = std::move(*changed);
  }
  Result<EvalInput> input =
      ReadInput(store, m, plan, info.as_of, info.snapshot, request.incremental ? &touched : nullptr,
                deps.options.threads);
  if (!input) return std::unexpected(input.error());
  const double read_seconds = SecondsSince(start);

  Result<std::unique_ptr<EvaluationWriter>> writer = store.BeginEvaluationRun(info);
  if (!writer) return std::unexpected(writer.error());
  if (request.incremental) {
    if (Result<void> r = (*writer)->CarryOver(info.base_run); !r) return std::unexpected(r.error());
  }
  std::vector<RunEntry> computed;
  computed.reserve(input->subjects.size());
  double store_seconds = 0;  // spent writing, while the next chunk is being evaluated
  Result<void> stored = EvaluateAll(*input, ev, info.as_of, deps.options,
                                    [&](std::vector<EvaluationResultRow>& rows) -> Result<void> {
                                      const auto t = std::chrono::steady_clock::now();
                                      for (const EvaluationResultRow& r : rows) {
                                        computed.push_back({r.subject, r.score, r.grade});
                                      }
                                      Result<void> put = (*writer)->Put(rows);
                                      store_seconds += SecondsSince(t);
                                      return put;
                                    });
  if (!stored) return std::unexpected(stored.error());

  // This run's entries: the computed ones, and (incremental) the base's for the rest.
  std::vector<RunEntry> current;
  if (request.incremental) {
    const std::vector<RunEntry>& base = previous->second;
    current.reserve(base.size() + computed.size());
    std::size_t i = 0, k = 0;
    while (i < base.size() || k < computed.size()) {
      if (k == computed.size() || (i < base.size() && base[i].subject < computed[k].subject)) {
        current.push_back(base[i++]);
      } else {
        if (i < base.size() && base[i].subject == computed[k].subject) ++i;
        current.push_back(computed[k++]);
      }
    }
  } else {
    current = std::move(computed);
    computed.clear();
  }
  const std::int64_t evaluated =
      static_cast<std::int64_t>(request.incremental ? input->subjects.size() : current.size());

  Json j;
  j["run_id"] = (*writer)->run_id();
  j["mode"] = info.mode;
  j["model_version"] = info.model_version;
  j["as_of"] = FormatIsoDate(info.as_of);
  j["snapshot_batch"] = info.snapshot;
  j["base_run"] = request.incremental ? Json(info.base_run) : Json(nullptr);
  j["subjects"] = static_cast<std::int64_t>(current.size());
  j["evaluated"] = evaluated;
  j["carried_over"] = static_cast<std::int64_t>(current.size()) - evaluated;
  j["records_read"] = input->records;
  Result<Json> stats = StatsJson(ev, current, previous);
  if (!stats) return std::unexpected(stats.error());
  for (auto it = stats->begin(); it != stats->end(); ++it) j[it.key()] = it.value();
  j["read_seconds"] = std::round(read_seconds * 1000) / 1000;
  j["store_seconds"] = std::round(store_seconds * 1000) / 1000;
  // The summary is stored before the commit; the returned one adds what the commit took.
  j["seconds"] = std::round(SecondsSince(start) * 1000) / 1000;
  const auto committing = std::chrono::steady_clock::now();
  if (Result<void> r =
          (*writer)->Commit(static_cast<std::int64_t>(current.size()), evaluated, j.dump());
      !r) {
    return std::unexpected(r.error());
  }
  j["commit_seconds"] = std::round(SecondsSince(committing) * 1000) / 1000;
  j["seconds"] = std::round(SecondsSince(start) * 1000) / 1000;
  return j;
}

Result<Json> ShowResult(Store& store, const std::string& uscc, std::int64_t run_id) {
  Result<std::optional<EvaluationRunInfo>> run = store.GetEvaluationRun(run_id);
  if (!run) return std::unexpected(run.error());
  if (!*run) return NoRun(run_id);
  Result<std::optional<Subject>> subject = store.FindSubjectByUscc(uscc);
  if (!subject) return std::unexpected(subject.error());
  if (!*subject) {
    return Fail(ErrorCode::kNotFound, "evaluate.subject", "no subject with code " + uscc,
                "统一社会信用代码 " + uscc + " 对应的主体不存在");
  }
  Result<std::optional<EvaluationResultRow>> row =
      store.GetEvaluationResult((*run)->id, (*subject)->id);
  if (!row) return std::unexpected(row.error());
  if (!*row) {
    return Fail(
        ErrorCode::kNotFound, "evaluate.subject",
        "subject " + uscc + " has no result in evaluation run " + std::to_string((*run)->id),
        "主体 " + uscc + " 在评价批次 " + std::to_string((*run)->id) + " 中没有评价结果");
  }
  Result<std::vector<ModelSource>> sources = DecodeModelSources((*run)->model_text);
  if (!sources) return std::unexpected(sources.error());
  Result<LoadedModel> m = LoadModel(std::move(*sources), nullptr);
  if (!m) return std::unexpected(m.error());
  const scoring::Model& model = m->model;
  const Json detail = Json::parse((*row)->detail_json, nullptr, /*allow_exceptions=*/false);
  if (!detail.is_object()) {
    return Fail(ErrorCode::kInternal, "store.corrupt", "the stored result cannot be read",
                "保存的评价结果无法读取");
  }
  // Names of indicators and rules, from the run's model (public and every overlay).
  std::map<std::string, std::string> indicator_names, rule_names, industry_names;
  for (const scoring::Indicator& i : model.indicators) indicator_names[i.code] = i.name;
  for (const scoring::HardRule& r : model.hard_rules) rule_names[r.code] = r.name;
  for (const scoring::Overlay& o : model.overlays) {
    industry_names[o.industry] = o.name;
    for (const scoring::Indicator& i : o.indicators) indicator_names[i.code] = i.name;
    for (const scoring::HardRule& r : o.hard_rules) rule_names[r.code] = r.name;
  }
  const Json empty = Json::array();
  const Json& public_reasons = detail.contains("r") && detail["r"].is_array() ? detail["r"] : empty;
  auto reasons_json = [&](const Json& list) {
    Json out = Json::array();
    if (!list.is_array()) return out;
    for (const Json& r : list) {
      if (!r.is_array() || r.size() != 6) continue;
      Json x;
      const std::string rule = r[5].get<std::string>();
      x["indicator"] = r[0];
      x["name"] = rule.empty() ? indicator_names[r[0].get<std::string>()] : rule_names[rule];
      if (!rule.empty()) x["rule"] = rule;
      x["dimension"] = r[1];
      x["points"] = r[2];
      x["score_effect"] = r[3];
      x["record_ids"] = r[4];
      if (r[4].is_number()) {  // 0: the records of the public reason of the same indicator and rule
        x["record_ids"] = Json::array();
        for (const Json& p : public_reasons) {
          if (p.is_array() && p.size() == 6 && p[0] == r[0] && p[5] == r[5]) x["record_ids"] = p[4];
        }
      }
      out.push_back(std::move(x));
    }
    return out;
  };
  const scoring::GradeBand* band = model.FindGrade((*row)->grade);
  Json j;
  j["run_id"] = (*run)->id;
  j["model_version"] = (*run)->model_version;
  j["as_of"] = FormatIsoDate((*run)->as_of);
  j["subject"] = {{"id", (*subject)->id},
                  {"uscc", (*subject)->uscc},
                  {"name", (*subject)->name},
                  {"kind", SubjectKindName((*subject)->kind)},
                  {"provisional", (*subject)->provisional}};
  j["score"] = (*row)->score;
  j["grade"] = (*row)->grade;
  j["grade_name"] = band != nullptr ? band->name : "";
  j["risk_class"] = band != nullptr ? band->risk_class : "";
  Json dims = Json::array();
  const Json& d = detail.contains("d") ? detail["d"] : empty;
  for (std::size_t i = 0; i < model.dimensions.size() && i < d.size(); ++i) {
    const scoring::Dimension& dim = model.dimensions[i];
    dims.push_back({{"code", dim.code},
                    {"name", dim.name},
                    {"weight", Decimal::FromMicros(std::int64_t{dim.weight} * 100).ToString()},
                    {"base", dim.base.ToString()},
                    {"score", d[i]}});
  }
  j["dimensions"] = dims;
  j["reasons"] = reasons_json(detail.contains("r") ? detail["r"] : empty);
  Json industries = Json::array();
  if (detail.contains("x") && detail["x"].is_array()) {
    for (const Json& x : detail["x"]) {
      if (!x.is_array() || x.size() != 5) continue;
      const std::string code = x[0].get<std::string>();
      const scoring::GradeBand* b = model.FindGrade(x[2].get<std::string>());
      industries.push_back({{"industry", code},
                            {"name", industry_names[code]},
                            {"score", x[1]},
                            {"grade", x[2]},
                            {"risk_class", b != nullptr ? b->risk_class : ""},
                            {"overlay_score", x[3]},
                            {"reasons", reasons_json(x[4])}});
    }
  }
  j["industries"] = industries;
  return j;
}

namespace {

// Compares recomputed rows with the stored ones (both ascending by subject).
class Comparer final : public EvaluationResultVisitor {
 public:
  Comparer(const EvalInput& in, RecomputeReport& report) : in_(in), report_(report) {}

  // Recomputed rows arrive in subject order, chunk by chunk; stored rows are read after all of
  // them for a single subject, or merged as they come for a whole run.
  void AddRecomputed(std::vector<EvaluationResultRow>& rows) {
    for (EvaluationResultRow& r : rows) recomputed_.push_back(std::move(r));
  }

  Result<void> Visit(std::span<const EvaluationResultRow> stored) override {
    for (const EvaluationResultRow& s : stored) {
      while (next_ < recomputed_.size() && recomputed_[next_].subject < s.subject) {
        // Recomputable now but not in the run: created after its snapshot. Not a mismatch.
        ++next_;
      }
      ++report_.checked;
      if (next_ == recomputed_.size() || recomputed_[next_].subject != s.subject) {
        Add(s.subject, "stored but cannot be recomputed (the subject is no longer evaluated)");
        continue;
      }
      const EvaluationResultRow& r = recomputed_[next_++];
      std::string what;
      if (r.score != s.score) {
        what += "score " + std::to_string(s.score) + " stored, " + std::to_string(r.score) +
                " recomputed; ";
      }
      if (r.grade != s.grade) what += "grade " + s.grade + " stored, " + r.grade + " recomputed; ";
      if (r.industries != s.industries) {
        what +=
            "industry results '" + s.industries + "' stored, '" + r.industries + "' recomputed; ";
      }
      if (r.detail_json != s.detail_json) what += "dimensions or reasons differ; ";
      if (!what.empty()) {
        what.resize(what.size() - 2);
        Add(s.subject, what);
      }
    }
    return {};
  }

 private:
  void Add(SubjectId subject, std::string what) {
    RecomputeMismatch mm;
    mm.subject = subject;
    auto it = std::lower_bound(in_.subjects.begin(), in_.subjects.end(), subject,
                               [](const EvalSubject& s, SubjectId id) { return s.id < id; });
    if (it != in_.subjects.end() && it->id == subject) {
      mm.uscc = in_.usccs[static_cast<std::size_t>(it - in_.subjects.begin())];
    }
    mm.what = std::move(what);
    report_.mismatches.push_back(std::move(mm));
  }

  const EvalInput& in_;
  RecomputeReport& report_;
  std::vector<EvaluationResultRow> recomputed_;
  std::size_t next_ = 0;
};

}  // namespace

Result<RecomputeReport> Recompute(Store& store, std::int64_t run_id,
                                  std::optional<SubjectId> subject,
                                  const EvaluateOptions& options) {
  Result<std::optional<EvaluationRunInfo>> run = store.GetEvaluationRun(run_id);
  if (!run) return std::unexpected(run.error());
  if (!*run) return NoRun(run_id);
  const EvaluationRunInfo& info = **run;
  Result<std::vector<ModelSource>> sources = DecodeModelSources(info.model_text);
  if (!sources) return std::unexpected(sources.error());
  Result<LoadedModel> m = LoadModel(std::move(*sources), nullptr);
  if (!m) return std::unexpected(m.error());
  RecomputeReport report;
  report.run = info.id;
  report.model_version = info.model_version;
  report.as_of = info.as_of;
  report.snapshot = info.snapshot;
  if (m->evaluator.version() != info.model_version) {
    return Fail(ErrorCode::kInternal, "store.corrupt",
                "run " + std::to_string(info.id) + " stored model " + info.model_version +
                    " but its files compile to " + m->evaluator.version(),
                "评价批次保存的模型版本与模型文件不一致");
  }
  const EvalPlan plan(*m);
  std::vector<SubjectId> only;
  if (subject) only.push_back(*subject);
  Result<EvalInput> input = ReadInput(store, *m, plan, info.as_of, info.snapshot,
                                      subject ? &only : nullptr, options.threads);
  if (!input) return std::unexpected(input.error());
  Comparer compare(*input, report);
  Result<void> done = EvaluateAll(*input, m->evaluator, info.as_of, options,
                                  [&](std::vector<EvaluationResultRow>& rows) -> Result<void> {
                                    compare.AddRecomputed(rows);
                                    return {};
                                  });
  if (!done) return std::unexpected(done.error());
  if (subject) {
    Result<std::optional<EvaluationResultRow>> stored =
        store.GetEvaluationResult(info.id, *subject);
    if (!stored) return std::unexpected(stored.error());
    if (!*stored) {
      return Fail(ErrorCode::kNotFound, "evaluate.subject",
                  "subject " + std::to_string(*subject) + " has no result in evaluation run " +
                      std::to_string(info.id),
                  "该主体在评价批次 " + std::to_string(info.id) + " 中没有评价结果");
    }
    if (Result<void> r = compare.Visit(std::span<const EvaluationResultRow>(&**stored, 1)); !r) {
      return std::unexpected(r.error());
    }
  } else if (Result<void> r = store.ScanEvaluationResults(info.id, true, compare); !r) {
    return std::unexpected(r.error());
  }
  return report;
}

// ---- The draw
// -------------------------------------------------------------------------------------

namespace {

class ResultCollector final : public EvaluationResultVisitor {
 public:
  explicit ResultCollector(std::vector<EvaluationResultRow>& out) : out_(out) {}
  Result<void> Visit(std::span<const EvaluationResultRow> rows) override {
    out_.insert(out_.end(), rows.begin(), rows.end());
    return {};
  }

 private:
  std::vector<EvaluationResultRow>& out_;
};

class RowCollector final : public SubjectVisitor {
 public:
  explicit RowCollector(std::vector<EvalSubjectRow>& out) : out_(out) {}
  Result<void> Visit(std::span<const EvalSubjectRow> rows) override {
    out_.insert(out_.end(), rows.begin(), rows.end());
    return {};
  }

 private:
  std::vector<EvalSubjectRow>& out_;
};

}  // namespace

Result<Json> RunDraw(Store& store, const DrawRequest& request) {
  Result<scoring::DrawTask> task = scoring::ParseDrawTask(request.task_text, request.task_name);
  if (!task) return std::unexpected(task.error());
  Result<std::optional<EvaluationRunInfo>> run = store.GetEvaluationRun(request.run);
  if (!run) return std::unexpected(run.error());
  if (!*run) return NoRun(request.run);
  Result<std::vector<ModelSource>> sources = DecodeModelSources((*run)->model_text);
  if (!sources) return std::unexpected(sources.error());
  Result<LoadedModel> m = LoadModel(std::move(*sources), nullptr);
  if (!m) return std::unexpected(m.error());
  const std::string& source = task->population.grade_source;
  if (source != "public") {
    const bool known = std::any_of(m->model.overlays.begin(), m->model.overlays.end(),
                                   [&](const scoring::Overlay& o) { return o.industry == source; });
    if (!known) {
      return Fail(
          ErrorCode::kInvalidArgument, "task.invalid",
          request.task_name + ": population.grade_source '" + source +
              "' is neither \"public\" nor an industry of the run's model",
          "抽查任务的等级来源“" + source + "”不是公共信用综合评价，也不是该评价批次的行业评价");
    }
  }

  // Conflicts declared by USCC become subject ids.
  std::vector<std::string> unresolved;
  for (scoring::Inspector& inspector : task->inspectors) {
    for (const std::string& code : inspector.conflict_codes) {
      Result<std::optional<Subject>> s = store.FindSubjectByUscc(code);
      if (!s) return std::unexpected(s.error());
      if (*s) {
        inspector.conflict_subjects.push_back((*s)->id);
      } else {
        unresolved.push_back(code);
      }
    }
  }

  std::vector<EvalSubjectRow> subjects;
  RowCollector collect_subjects(subjects);
  if (Result<void> r = store.ScanEvalSubjects({}, collect_subjects); !r)
    return std::unexpected(r.error());
  std::vector<EvaluationResultRow> results;
  ResultCollector collect_results(results);
  if (Result<void> r = store.ScanEvaluationResults((*run)->id, false, collect_results); !r) {
    return std::unexpected(r.error());
  }
  // Both ascending by id: a merge join.
  std::vector<scoring::DrawSubject> population;
  std::vector<std::string> usccs;
  std::size_t k = 0;
  for (const EvaluationResultRow& r : results) {
    while (k < subjects.size() && subjects[k].id < r.subject) ++k;
    if (k == subjects.size() || subjects[k].id != r.subject) continue;
    const EvalSubjectRow& s = subjects[k];
    const std::vector<IndustryGrade> industries = ParseIndustries(r.industries);
    std::vector<std::string> codes;
    for (const IndustryGrade& g : industries) codes.push_back(g.industry);
    if (!task->population.Matches(s.region_code, s.kind, codes)) continue;
    std::string grade = r.grade;
    if (source != "public") {
      auto it = std::find_if(industries.begin(), industries.end(),
                             [&](const IndustryGrade& g) { return g.industry == source; });
      if (it == industries.end()) continue;
      grade = it->grade;
    }
    const scoring::GradeBand* band = m->model.FindGrade(grade);
    if (band == nullptr) {
      return Fail(ErrorCode::kInternal, "store.corrupt",
                  "subject " + std::to_string(s.id) + " has grade " + grade +
                      ", not one of the run's model",
                  "评价结果中的等级与评价模型不一致");
    }
    population.push_back({s.id, band->risk_class});
    usccs.push_back(s.uscc);
  }

  Result<scoring::DrawResult> draw = scoring::Draw(population, *task, request.seed);
  if (!draw) return std::unexpected(draw.error());

  if (!request.population_out.empty()) {
    std::vector<std::size_t> idx(population.size());
    for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = i;
    std::sort(idx.begin(), idx.end(),
              [&](std::size_t a, std::size_t b) { return population[a].id < population[b].id; });
    std::ofstream out(request.population_out, std::ios::binary | std::ios::trunc);
    for (std::size_t i : idx) {
      out << population[i].id << '\t' << usccs[i] << '\t' << population[i].risk_class << '\n';
    }
    if (!out) {
      return Fail(ErrorCode::kUnavailable, "file.write", "cannot write " + request.population_out,
                  "无法写入 " + request.population_out);
    }
  }

  Json j;
  j["algorithm"] = draw->algorithm;
  j["task"] = {{"code", task->code}, {"name", task->name}, {"department", task->department}};
  j["seed"] = std::to_string(draw->seed);  // a string: JSON readers lose precision above 2^53
  j["run_id"] = (*run)->id;
  j["model_version"] = (*run)->model_version;
  j["as_of"] = FormatIsoDate((*run)->as_of);
  j["grade_source"] = source;
  j["population"] = static_cast<std::int64_t>(population.size());
  j["population_digest"] = draw->population_digest;
  j["classes_digest"] = draw->classes_digest;
  j["uscc_digest"] = scoring::UsccDigest(usccs);
  Json classes = Json::array();
  for (const scoring::ClassOutcome& c : draw->classes) {
    classes.push_back({{"class", c.risk_class},
                       {"population", c.population},
                       {"selected", c.selected},
                       {"ratio", Decimal::FromMicros(std::int64_t{c.ratio} * 100).ToString()}});
  }
  j["classes"] = classes;
  Json assignments = Json::array();
  for (const scoring::Assignment& a : draw->assignments) {
    auto s = std::lower_bound(subjects.begin(), subjects.end(), a.subject,
                              [](const EvalSubjectRow& row, SubjectId id) { return row.id < id; });
    Result<std::optional<Subject>> full = store.GetSubject(a.subject);
    if (!full) return std::unexpected(full.error());
    assignments.push_back({{"subject_id", a.subject},
                           {"uscc", s != subjects.end() && s->id == a.subject ? s->uscc : ""},
                           {"name", *full ? (*full)->name : ""},
                           {"risk_class", a.risk_class},
                           {"inspectors", {a.inspectors[0], a.inspectors[1]}}});
  }
  j["assignments"] = assignments;
  j["excluded_inspectors"] = draw->excluded_inspectors;
  Json load = Json::object();
  for (const auto& [id, n] : draw->load) load[id] = n;
  j["inspector_load"] = load;
  j["unresolved_conflict_codes"] = unresolved;
  return j;
}

}  // namespace xy
