#pragma once

// A tiny libcurl client for the dev cluster's tests: real HTTPS, the cluster's CA, a bearer
// token or a client certificate. Test-only; header-only.

#include <curl/curl.h>

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace starform::devcluster::testing {

struct HttpResult {
  long code = 0;
  std::string body;
  std::multimap<std::string, std::string> headers;  ///< lowercased names
  nlohmann::json Json() const { return nlohmann::json::parse(body, nullptr, false); }
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

class TestClient {
 public:
  TestClient(std::string base_url, std::string ca_pem, std::string token = "")
      : base_(std::move(base_url)), ca_(std::move(ca_pem)), token_(std::move(token)) {
    curl_ = curl_easy_init();
  }
  ~TestClient() { curl_easy_cleanup(curl_); }
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  void set_token(std::string token) { token_ = std::move(token); }
  void set_client_cert(std::string cert_pem, std::string key_pem) {
    cert_ = std::move(cert_pem);
    key_ = std::move(key_pem);
  }
  /// Extra request headers, "Name: value".
  std::vector<std::string> extra_headers;

  HttpResult Get(const std::string& path) { return Do("GET", path, "", ""); }
  HttpResult Post(const std::string& path, const nlohmann::json& body) {
    return Do("POST", path, body.dump(), "application/json");
  }
  HttpResult Put(const std::string& path, const nlohmann::json& body) {
    return Do("PUT", path, body.dump(), "application/json");
  }
  HttpResult Patch(const std::string& path, const std::string& body,
                   const std::string& content_type) {
    return Do("PATCH", path, body, content_type);
  }
  HttpResult Delete(const std::string& path, const std::string& body = "") {
    return Do("DELETE", path, body, body.empty() ? "" : "application/json");
  }

  /// A request; |on_data| (optional) sees the body as it streams and may stop it by
  /// returning false.
  HttpResult Do(const std::string& method, const std::string& path, const std::string& body,
                const std::string& content_type,
                std::function<bool(const std::string& so_far)> on_data = nullptr) {
    HttpResult result;
    curl_easy_reset(curl_);
    std::string url = base_ + path;
    curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, method.c_str());
    curl_blob ca{const_cast<char*>(ca_.data()), ca_.size(), CURL_BLOB_COPY};
    curl_easy_setopt(curl_, CURLOPT_CAINFO_BLOB, &ca);
    if (!cert_.empty()) {
      curl_blob cert{const_cast<char*>(cert_.data()), cert_.size(), CURL_BLOB_COPY};
      curl_blob key{const_cast<char*>(key_.data()), key_.size(), CURL_BLOB_COPY};
      curl_easy_setopt(curl_, CURLOPT_SSLCERT_BLOB, &cert);
      curl_easy_setopt(curl_, CURLOPT_SSLKEY_BLOB, &key);
      curl_easy_setopt(curl_, CURLOPT_SSLCERTTYPE, "PEM");
    }
    curl_slist* headers = nullptr;
    if (!token_.empty())
      headers = curl_slist_append(headers, ("Authorization: Bearer " + token_).c_str());
    if (!content_type.empty())
      headers = curl_slist_append(headers, ("Content-Type: " + content_type).c_str());
    headers = curl_slist_append(headers, "Accept: application/json");
    headers = curl_slist_append(headers, "Expect:");
    for (const std::string& h : extra_headers)
      headers = curl_slist_append(headers, h.c_str());
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl_, CURLOPT_USERAGENT, "devcluster-test/v0.1.0 (linux/amd64)");
    if (!body.empty()) {
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.data());
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    }
    struct Sink {
      HttpResult* result;
      std::function<bool(const std::string&)>* on_data;
    } sink{&result, &on_data};
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(
        curl_, CURLOPT_WRITEFUNCTION, +[](char* p, size_t size, size_t n, void* data) -> size_t {
          auto* s = static_cast<Sink*>(data);
          s->result->body.append(p, size * n);
          if (*s->on_data && !(*s->on_data)(s->result->body))
            return 0;
          return size * n;
        });
    curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &result);
    curl_easy_setopt(
        curl_, CURLOPT_HEADERFUNCTION, +[](char* p, size_t size, size_t n, void* data) -> size_t {
          std::string line(p, size * n);
          size_t colon = line.find(':');
          if (colon != std::string::npos) {
            std::string name = line.substr(0, colon);
            for (char& c : name)
              c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            std::string value = line.substr(colon + 1);
            value.erase(0, value.find_first_not_of(' '));
            while (!value.empty() && (value.back() == '\r' || value.back() == '\n'))
              value.pop_back();
            static_cast<HttpResult*>(data)->headers.emplace(name, value);
          }
          return size * n;
        });
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT, 30L);
    curl_easy_perform(curl_);
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &result.code);
    curl_slist_free_all(headers);
    return result;
  }

 private:
  std::string base_, ca_, token_, cert_, key_;
  CURL* curl_;
};

/// Percent-encodes a query value.
inline std::string Escape(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

}  // namespace starform::devcluster::testing
