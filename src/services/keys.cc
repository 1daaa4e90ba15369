#include "services/keys.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace xy {
namespace {

namespace fs = std::filesystem;

struct KeyFileText {
  std::string master_hex;
  std::string ledger_pem;  // empty in a file from before the ledger
};

Result<KeyFileText> ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Fail(ErrorCode::kFailedPrecondition, "keys.missing",
                "no key file " + path + "; run `xinyong init` first",
                "缺少密钥文件 " + path + "，请先运行 xinyong init");
  }
  std::ostringstream s;
  s << in.rdbuf();
  const std::string text = s.str();
  KeyFileText out;
  const std::size_t eol = text.find('\n');
  out.master_hex = text.substr(0, eol);
  if (!out.master_hex.empty() && out.master_hex.back() == '\r') out.master_hex.pop_back();
  if (eol != std::string::npos) out.ledger_pem = text.substr(eol + 1);
  if (out.ledger_pem.find_first_not_of(" \r\n\t") == std::string::npos) out.ledger_pem.clear();
  return out;
}

Result<MasterKey> ParseMaster(const std::string& path, const std::string& hex) {
  Result<std::vector<std::uint8_t>> bytes = FromHex(hex);
  if (!bytes || bytes->size() != kMasterKeySize) {
    return Fail(ErrorCode::kFailedPrecondition, "keys.invalid",
                "key file " + path + " does not start with 128 hex characters",
                "密钥文件 " + path + " 格式错误（第一行应为128位十六进制主密钥）");
  }
  MasterKey key;
  std::copy(bytes->begin(), bytes->end(), key.begin());
  return key;
}

Result<void> WriteFile0600(const std::string& path, const std::string& text) {
  std::error_code ec;
  if (fs::path parent = fs::path(path).parent_path(); !parent.empty()) fs::create_directories(parent, ec);
  // Written beside the target and renamed over it: a crash never leaves half a key file, and the
  // file is 0600 from its first byte.
  const std::string tmp = path + ".tmp";
  const mode_t old = umask(077);
  std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
  umask(old);
  if (!out || !(out << text) || (out.close(), !out)) {
    return Fail(ErrorCode::kUnavailable, "keys.write", "cannot write key file " + path,
                "无法写入密钥文件 " + path);
  }
  fs::permissions(tmp, fs::perms::owner_read | fs::perms::owner_write, ec);
  fs::rename(tmp, path, ec);
  if (ec) {
    return Fail(ErrorCode::kUnavailable, "keys.write",
                "cannot write key file " + path + ": " + ec.message(), "无法写入密钥文件 " + path);
  }
  return {};
}

}  // namespace

Result<Keys> ReadKeyFile(const std::string& path) {
  Result<KeyFileText> text = ReadText(path);
  if (!text) return std::unexpected(text.error());
  Result<MasterKey> master = ParseMaster(path, text->master_hex);
  if (!master) return std::unexpected(master.error());
  if (text->ledger_pem.empty()) {
    return Fail(ErrorCode::kFailedPrecondition, "keys.no_ledger_key",
                "key file " + path + " has no ledger key yet; run `xinyong init` to add one",
                "密钥文件 " + path + " 中尚无账本签名密钥，请运行 xinyong init 补充");
  }
  Result<Sm2KeyPair> ledger = Sm2KeyPair::FromPem(text->ledger_pem);
  if (!ledger) {
    return Fail(ErrorCode::kFailedPrecondition, "keys.invalid",
                "key file " + path + ": the ledger key is not a usable SM2 private key (" +
                    ledger.error().message + ")",
                "密钥文件 " + path + " 中的账本签名密钥无效");
  }
  return Keys{*master, std::move(*ledger)};
}

Result<KeyFileChange> OpenOrCreateKeyFile(const std::string& path) {
  std::error_code ec;
  std::string master_hex;
  KeyFileChange change = KeyFileChange::kCreated;
  if (fs::exists(path, ec)) {
    Result<KeyFileText> text = ReadText(path);
    if (!text) return std::unexpected(text.error());
    if (Result<MasterKey> m = ParseMaster(path, text->master_hex); !m) return std::unexpected(m.error());
    if (!text->ledger_pem.empty()) {
      if (Result<Keys> keys = ReadKeyFile(path); !keys) return std::unexpected(keys.error());
      return KeyFileChange::kNone;
    }
    master_hex = text->master_hex;
    change = KeyFileChange::kLedgerKeyAdded;
  } else {
    Result<MasterKey> key = RandomKey();
    if (!key) return std::unexpected(key.error());
    master_hex = ToHex(std::span<const std::uint8_t>(key->data(), key->size()));
  }
  Result<Sm2KeyPair> ledger = Sm2KeyPair::Generate();
  if (!ledger) return std::unexpected(ledger.error());
  if (Result<void> w = WriteFile0600(path, master_hex + "\n" + ledger->PrivatePem()); !w) {
    return std::unexpected(w.error());
  }
  return change;
}

}  // namespace xy
