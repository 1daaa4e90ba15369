#include "ledger/proof_bundle.h"

#include "ledger/merkle.h"

namespace xy::ledger {
namespace {

std::string HexArray(const std::vector<Sm3Digest>& digests) {
  std::string out = "[";
  for (std::size_t i = 0; i < digests.size(); ++i) {
    if (i != 0) out += ',';
    out += '"';
    out += ToHex(digests[i]);
    out += '"';
  }
  out += ']';
  return out;
}

}  // namespace

std::string ToJson(const InclusionBundle& bundle) {
  return "{\"format\":\"" + std::string(kInclusionBundleFormat) + "\",\"entry\":\"" +
         ToHex(bundle.entry) + "\",\"leaf_index\":" + std::to_string(bundle.leaf_index) +
         ",\"leaf_hash\":\"" + ToHex(LeafHash(bundle.entry)) +
         "\",\"inclusion_path\":" + HexArray(bundle.inclusion_path) +
         ",\"tree_head\":" + ToJson(bundle.tree_head) + "}";
}

std::string ToJson(const ConsistencyBundle& bundle) {
  return "{\"format\":\"" + std::string(kConsistencyBundleFormat) +
         "\",\"old_tree_head\":" + ToJson(bundle.old_tree_head) +
         ",\"new_tree_head\":" + ToJson(bundle.new_tree_head) +
         ",\"consistency_path\":" + HexArray(bundle.consistency_path) + "}";
}

Result<bool> VerifyInclusionBundle(std::string_view public_pem, const InclusionBundle& bundle) {
  auto signed_ok = VerifyTreeHead(public_pem, bundle.tree_head);
  if (!signed_ok || !*signed_ok) return signed_ok;
  const TreeHead& head = bundle.tree_head.head;
  return VerifyInclusion(bundle.inclusion_path, bundle.leaf_index, head.tree_size,
                         LeafHash(bundle.entry), head.root);
}

Result<bool> VerifyConsistencyBundle(std::string_view public_pem, const ConsistencyBundle& bundle) {
  for (const SignedTreeHead* signed_head : {&bundle.old_tree_head, &bundle.new_tree_head}) {
    auto signed_ok = VerifyTreeHead(public_pem, *signed_head);
    if (!signed_ok || !*signed_ok) return signed_ok;
  }
  const TreeHead& old_head = bundle.old_tree_head.head;
  const TreeHead& new_head = bundle.new_tree_head.head;
  return VerifyConsistency(bundle.consistency_path, old_head.tree_size, new_head.tree_size,
                           old_head.root, new_head.root);
}

}  // namespace xy::ledger
