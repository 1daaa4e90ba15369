#include "ledger/tree_head.h"

#include <utility>

#include "ledger/merkle.h"

namespace xy::ledger {
namespace {

void AppendBigEndian(std::string& out, std::uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>(static_cast<std::uint8_t>(value >> shift)));
  }
}

auto TreeHeadError(std::string message) {
  return Fail(ErrorCode::kInvalidArgument, "ledger.tree_head", std::move(message),
              "签名树头格式错误");
}

}  // namespace

std::string TreeHeadSigningInput(const TreeHead& head) {
  std::string out;
  out.reserve(kTreeHeadSigningInputSize);
  out.append(kTreeHeadDomain);
  AppendBigEndian(out, static_cast<std::uint64_t>(head.tree_size));
  out.append(head.root.begin(), head.root.end());
  AppendBigEndian(out, static_cast<std::uint64_t>(head.timestamp));
  return out;
}

Result<SignedTreeHead> SignTreeHead(const Sm2KeyPair& key, const TreeHead& head) {
  if (head.tree_size < 0) {
    return TreeHeadError("tree size " + std::to_string(head.tree_size) + " is negative");
  }
  auto signature = key.Sign(TreeHeadSigningInput(head));
  if (!signature) return std::unexpected(std::move(signature.error()));
  return SignedTreeHead{head, std::move(*signature)};
}

Result<bool> VerifyTreeHead(std::string_view public_pem, const SignedTreeHead& signed_head) {
  // Checked before the size so that an unusable key is reported as such, whatever the head.
  auto valid = Sm2Verify(public_pem, TreeHeadSigningInput(signed_head.head), signed_head.signature);
  if (!valid) return valid;
  return *valid && signed_head.head.tree_size >= 0;
}

SignedTreeHeadText ToText(const SignedTreeHead& signed_head) {
  return {signed_head.head.tree_size, ToHex(signed_head.head.root), signed_head.head.timestamp,
          ToHex(signed_head.signature)};
}

Result<SignedTreeHead> FromText(const SignedTreeHeadText& text) {
  if (text.tree_size < 0) {
    return TreeHeadError("tree size " + std::to_string(text.tree_size) + " is negative");
  }
  auto root = DigestFromHex(text.root);
  if (!root) return TreeHeadError("root: " + root.error().message);
  auto signature = FromHex(text.signature);
  if (!signature) return TreeHeadError("signature: " + signature.error().message);
  if (signature->empty()) return TreeHeadError("signature is empty");
  return SignedTreeHead{TreeHead{text.tree_size, *root, text.timestamp},
                        std::string(signature->begin(), signature->end())};
}

std::string ToJson(const SignedTreeHead& signed_head) {
  // Every value is an integer or hex, so nothing needs escaping.
  const SignedTreeHeadText text = ToText(signed_head);
  return "{\"tree_size\":" + std::to_string(text.tree_size) + ",\"root\":\"" + text.root +
         "\",\"timestamp\":" + std::to_string(text.timestamp) + ",\"signature\":\"" +
         text.signature + "\"}";
}

}  // namespace xy::ledger
