#include "devcluster/certs.h"

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>

namespace starform::devcluster {

namespace {

struct Free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Free>;
using CertPtr = std::unique_ptr<X509, Free>;
using BioPtr = std::unique_ptr<BIO, Free>;

void Check(bool ok, const char* what) {
  if (!ok)
    throw std::runtime_error(std::string("openssl: ") + what);
}

KeyPtr NewKey() {
  KeyPtr key(EVP_EC_gen("P-256"));
  Check(key != nullptr, "EC key generation");
  return key;
}

std::string BioString(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(n));
}

std::string CertPem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  Check(PEM_write_bio_X509(bio.get(), cert) == 1, "write certificate");
  return BioString(bio.get());
}

std::string KeyPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  Check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
        "write key");
  return BioString(bio.get());
}

KeyPtr ReadKey(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  KeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  Check(key != nullptr, "read key");
  return key;
}

CertPtr ReadCert(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  CertPtr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  Check(cert != nullptr, "read certificate");
  return cert;
}

void AddExt(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, Free> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  Check(ext != nullptr, "certificate extension");
  Check(X509_add_ext(cert, ext.get(), -1) == 1, "add extension");
}

// Signs a certificate for |key| with |issuer_key|; |issuer| null makes it self-signed.
CertPtr Sign(EVP_PKEY* key, const std::string& cn, const std::string& org, X509* issuer,
             EVP_PKEY* issuer_key, bool is_ca, const char* san, bool server) {
  CertPtr cert(X509_new());
  Check(cert != nullptr, "new certificate");
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 365L * 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  if (!org.empty()) {
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(org.c_str()), -1, -1, 0);
  }
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509* signer = issuer != nullptr ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  if (is_ca) {
    AddExt(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
    AddExt(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature");
    AddExt(cert.get(), signer, NID_subject_key_identifier, "hash");
  } else {
    AddExt(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
    AddExt(cert.get(), signer, NID_key_usage, "critical,digitalSignature,keyEncipherment");
    AddExt(cert.get(), signer, NID_ext_key_usage, server ? "serverAuth" : "clientAuth");
    AddExt(cert.get(), signer, NID_authority_key_identifier, "keyid:always");
  }
  if (san != nullptr)
    AddExt(cert.get(), signer, NID_subject_alt_name, san);
  Check(X509_sign(cert.get(), issuer_key, EVP_sha256()) > 0, "sign certificate");
  return cert;
}

}  // namespace

Pki MakePki() {
  Pki pki;
  KeyPtr ca_key = NewKey();
  CertPtr ca =
      Sign(ca_key.get(), "starform-devcluster-ca", "", nullptr, ca_key.get(), true, nullptr, false);
  pki.ca = {CertPem(ca.get()), KeyPem(ca_key.get())};
  KeyPtr server_key = NewKey();
  CertPtr server = Sign(server_key.get(), "starform-devcluster", "", ca.get(), ca_key.get(), false,
                        "IP:127.0.0.1,DNS:localhost", true);
  pki.server = {CertPem(server.get()), KeyPem(server_key.get())};
  pki.client = IssueClientCert(pki.ca, "starform-admin", "system:masters");
  return pki;
}

KeyPair IssueClientCert(const KeyPair& ca, const std::string& common_name,
                        const std::string& organization) {
  KeyPtr ca_key = ReadKey(ca.key_pem);
  CertPtr ca_cert = ReadCert(ca.cert_pem);
  KeyPtr key = NewKey();
  CertPtr cert = Sign(key.get(), common_name, organization, ca_cert.get(), ca_key.get(), false,
                      nullptr, false);
  return {CertPem(cert.get()), KeyPem(key.get())};
}

std::string RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes));
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

std::string NewUid() {
  std::string h = RandomHex(16);
  h[12] = '4';
  h[16] = "89ab"[std::stoi(h.substr(16, 1), nullptr, 16) & 3];
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20);
}

}  // namespace starform::devcluster
