#include "server/model_store.h"

#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>

#include <nlohmann/json.hpp>

namespace holo::server {

namespace fs = std::filesystem;

namespace {

std::string to_hex(const unsigned char* p, size_t n) {
    static const char* digits = "0123456789abcdef";
    std::string s;
    for (size_t i = 0; i < n; ++i) {
        s += digits[p[i] >> 4];
        s += digits[p[i] & 15];
    }
    return s;
}

struct md_ctx_deleter {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

std::string sha256_text(std::string_view s) {
    unsigned char out[32];
    unsigned int n = 0;
    EVP_Digest(s.data(), s.size(), out, &n, EVP_sha256(), nullptr);
    return to_hex(out, n);
}

result<void> check_gguf_magic(const std::string& path, const std::string& shown) {
    std::ifstream f(path, std::ios::binary);
    char magic[4] = {};
    if (!f.read(magic, 4) || std::string_view(magic, 4) != "GGUF") {
        return error{shown + ": not a GGUF file (it does not start with the bytes 'GGUF')"};
    }
    return ok();
}

}  // namespace

result<std::string> sha256_file(const std::string& path, const std::function<void(uint64_t)>& on_bytes) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return error{path + ": cannot open for hashing"};
    std::unique_ptr<EVP_MD_CTX, md_ctx_deleter> ctx(EVP_MD_CTX_new());
    EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
    std::vector<unsigned char> buf(1 << 20);
    uint64_t total = 0;
    size_t n = 0;
    while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0) {
        EVP_DigestUpdate(ctx.get(), buf.data(), n);
        total += n;
        if (on_bytes) on_bytes(total);
    }
    const bool failed = std::ferror(f);
    std::fclose(f);
    if (failed) return error{path + ": read error while hashing"};
    unsigned char out[32];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx.get(), out, &len);
    return "sha256:" + to_hex(out, len);
}

model_store::model_store(std::string dir) : dir_(std::move(dir)) {}

std::string model_store::default_dir() {
    if (const char* d = std::getenv("HOLO_MODELS"); d && *d) return d;
    const char* home = std::getenv("HOME");
    return std::string(home && *home ? home : ".") + "/.holobiont/models";
}

std::string model_store::manifest_path(const model_name& n) const {
    return dir_ + "/manifests/" + n.ns + "/" + n.model + "/" + n.tag;
}

std::string model_store::blob_path(const std::string& digest) const {
    HOLO_ASSERT(is_valid_digest(digest), "blob_path needs a checked digest");
    return dir_ + "/blobs/sha256-" + digest.substr(7);
}

std::string model_store::partial_path(std::string_view key) const {
    return dir_ + "/blobs/partial-" + sha256_text(key);
}

result<void> model_store::ensure_dirs() const {
    std::error_code ec;
    fs::create_directories(dir_ + "/blobs", ec);
    if (ec) return error{dir_ + "/blobs: cannot create: " + ec.message()};
    fs::create_directories(dir_ + "/manifests", ec);
    if (ec) return error{dir_ + "/manifests: cannot create: " + ec.message()};
    return ok();
}

result<store_entry> model_store::resolve(std::string_view name) const {
    auto n = parse_model_name(name);
    if (!n.ok()) return n.err();
    const std::string not_found = "model '" + n->str() + "' not found";
    std::ifstream f(manifest_path(*n));
    if (!f) return error{not_found};
    nlohmann::json j = nlohmann::json::parse(f, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("layers") || !j["layers"].is_array()) {
        return error{"model '" + n->str() + "': its manifest is damaged; remove and pull it again"};
    }
    for (const auto& l : j["layers"]) {
        if (!l.is_object() || l.value("mediaType", "") != "application/vnd.ollama.image.model") continue;
        const std::string digest = l.value("digest", "");
        // A manifest is a file on disk, so its digest is untrusted input too.
        if (!is_valid_digest(digest)) return error{"model '" + n->str() + "': its manifest names an invalid digest"};
        store_entry e;
        e.name = *n;
        e.digest = digest;
        e.blob_path = blob_path(digest);
        std::error_code ec;
        e.size = fs::file_size(e.blob_path, ec);
        if (ec) return error{"model '" + n->str() + "': its blob is missing; pull it again"};
        struct stat st {};
        if (::stat(manifest_path(*n).c_str(), &st) == 0) e.modified_unix = int64_t(st.st_mtime);
        return e;
    }
    return error{"model '" + n->str() + "': its manifest has no model layer"};
}

std::vector<store_entry> model_store::list() const {
    std::vector<store_entry> out;
    std::error_code ec;
    const fs::path root = fs::path(dir_) / "manifests";
    if (!fs::is_directory(root, ec)) return out;
    // Exactly three levels (namespace/model/tag); links are not followed.
    for (const auto& ns : fs::directory_iterator(root, ec)) {
        if (!ns.is_directory() || ns.is_symlink()) continue;
        for (const auto& m : fs::directory_iterator(ns.path(), ec)) {
            if (!m.is_directory() || m.is_symlink()) continue;
            for (const auto& t : fs::directory_iterator(m.path(), ec)) {
                if (!t.is_regular_file() || t.is_symlink()) continue;
                const std::string ns_name = ns.path().filename().string();
                const std::string name = (ns_name == "library" ? "" : ns_name + "/") +
                                         m.path().filename().string() + ":" + t.path().filename().string();
                auto e = resolve(name);
                if (e.ok()) out.push_back(std::move(e.value()));
            }
        }
    }
    return out;
}

result<void> model_store::remove(std::string_view name) {
    auto e = resolve(name);
    if (!e.ok()) return e.err();
    std::error_code ec;
    fs::remove(manifest_path(e->name), ec);
    if (ec) return error{"model '" + e->name.str() + "': cannot remove its manifest: " + ec.message()};
    // Empty directories left behind go too (never above manifests/).
    fs::remove(fs::path(manifest_path(e->name)).parent_path(), ec);
    bool used = false;
    for (const auto& other : list()) used = used || other.digest == e->digest;
    if (!used) fs::remove(e->blob_path, ec);
    return ok();
}

result<store_entry> model_store::write_manifest(const model_name& n, const std::string& digest, uint64_t size) {
    HOLO_ASSERT(is_valid_digest(digest), "write_manifest needs a checked digest");
    const std::string path = manifest_path(n);
    std::error_code ec;
    fs::create_directories(fs::path(path).parent_path(), ec);
    if (ec) return error{path + ": cannot create its directory: " + ec.message()};
    nlohmann::json j = {
        {"schemaVersion", 2},
        {"mediaType", "application/vnd.holobiont.manifest.v1+json"},
        {"layers", nlohmann::json::array({{{"mediaType", "application/vnd.ollama.image.model"},
                                           {"digest", digest},
                                           {"size", size}}})},
    };
    const std::string tmp = path + ".tmp";
    {
        std::ofstream f(tmp, std::ios::trunc);
        f << j.dump(2) << "\n";
        if (!f) return error{tmp + ": cannot write"};
    }
    fs::rename(tmp, path, ec);
    if (ec) return error{path + ": cannot write: " + ec.message()};
    return resolve(n.str());
}

result<store_entry> model_store::adopt_file(std::string_view name, const std::string& tmp_path,
                                            const std::string& digest) {
    auto n = parse_model_name(name);
    if (!n.ok()) return n.err();
    if (!is_valid_digest(digest)) return error{"invalid digest \"" + digest + "\""};
    HOLO_TRY(ensure_dirs());
    HOLO_TRY(check_gguf_magic(tmp_path, "the downloaded file"));
    std::error_code ec;
    const uint64_t size = fs::file_size(tmp_path, ec);
    if (ec) return error{tmp_path + ": " + ec.message()};
    fs::rename(tmp_path, blob_path(digest), ec);
    if (ec) return error{blob_path(digest) + ": cannot move the download into place: " + ec.message()};
    return write_manifest(*n, digest, size);
}

result<store_entry> model_store::import_file(std::string_view name, const std::string& src,
                                             const std::function<void(uint64_t, uint64_t)>& progress) {
    auto n = parse_model_name(name);
    if (!n.ok()) return n.err();
    std::error_code ec;
    if (!fs::is_regular_file(src, ec)) return error{src + ": not a readable regular file"};
    HOLO_TRY(check_gguf_magic(src, src));
    HOLO_TRY(ensure_dirs());
    const uint64_t total = fs::file_size(src, ec);
    const std::string tmp = partial_path("import:" + src + ":" + std::to_string(::getpid()));
    std::FILE* in = std::fopen(src.c_str(), "rb");
    if (!in) return error{src + ": cannot open"};
    std::FILE* out = std::fopen(tmp.c_str(), "wb");
    if (!out) {
        std::fclose(in);
        return error{tmp + ": cannot create"};
    }
    std::unique_ptr<EVP_MD_CTX, md_ctx_deleter> ctx(EVP_MD_CTX_new());
    EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
    std::vector<unsigned char> buf(1 << 20);
    uint64_t done = 0;
    size_t k = 0;
    bool failed = false;
    while ((k = std::fread(buf.data(), 1, buf.size(), in)) > 0) {
        EVP_DigestUpdate(ctx.get(), buf.data(), k);
        if (std::fwrite(buf.data(), 1, k, out) != k) {
            failed = true;
            break;
        }
        done += k;
        if (progress) progress(done, total);
    }
    failed = failed || std::ferror(in);
    std::fclose(in);
    failed = (std::fclose(out) != 0) || failed;
    if (failed) {
        fs::remove(tmp, ec);
        return error{src + ": copy into the store failed (read or write error)"};
    }
    unsigned char md[32];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx.get(), md, &len);
    const std::string digest = "sha256:" + to_hex(md, len);
    auto r = adopt_file(n->str(), tmp, digest);
    if (!r.ok()) fs::remove(tmp, ec);
    return r;
}

}  // namespace holo::server
