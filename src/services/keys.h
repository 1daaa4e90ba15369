// The deployment's secret keys, kept in one file created by `xinyong init` with mode 0600:
//
//   line 1   the master key for personal data (PersonalDataCipher), 128 hex characters
//   then     the ledger's SM2 private key, an unencrypted PKCS#8 PEM block
//
// A key file written before the ledger existed has only the first line; OpenOrCreateKeyFile adds
// the ledger key to it (keeping the master key), so stores created earlier keep working.
//
// Thread-safety: plain functions; the caller serialises writes to one path.

#ifndef XY_SERVICES_KEYS_H_
#define XY_SERVICES_KEYS_H_

#include <string>

#include "base/crypto.h"
#include "base/result.h"

namespace xy {

struct Keys {
  MasterKey master{};
  Sm2KeyPair ledger;
};

// Reads the key file. Errors: kFailedPrecondition "keys.missing" (no file: run `xinyong init`),
// "keys.invalid" (malformed), "keys.no_ledger_key" (a file from before the ledger: run init).
Result<Keys> ReadKeyFile(const std::string& path);

// What OpenOrCreateKeyFile did.
enum class KeyFileChange { kNone, kCreated, kLedgerKeyAdded };

// Creates the file (0600, folders as needed) or completes an older one with a ledger key.
// Errors: as ReadKeyFile for a malformed file; kUnavailable "keys.write".
Result<KeyFileChange> OpenOrCreateKeyFile(const std::string& path);

}  // namespace xy

#endif  // XY_SERVICES_KEYS_H_
