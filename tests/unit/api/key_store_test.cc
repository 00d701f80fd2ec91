#include "api/auth/key_store.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include <gtest/gtest.h>

namespace zk::api::auth {
namespace {

class KeyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/zk_keys_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(KeyStoreTest, CreateListDeleteWithOwnerOnlyFile) {
  KeyStore store(dir_);
  auto empty = store.load();
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  auto a = store.create("admin", "", 100);
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->id.size(), 20u);
  EXPECT_EQ(a->id.substr(0, 4), "AKIA");
  EXPECT_EQ(a->secret.size(), 40u);
  auto b = store.create(
      "dns", R"({"Statement": [{"Effect": "Allow", "Action": "route53:List*", "Resource": "*"}]})", 200);
  ASSERT_TRUE(b.ok());
  EXPECT_NE(a->id, b->id);
  EXPECT_NE(a->secret, b->secret);
  struct stat st {};
  ASSERT_EQ(::stat(store.path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto keys = store.load();
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[1].name, "dns");
  EXPECT_FALSE((*keys)[1].policyJson.empty());
  EXPECT_FALSE(store.create("admin", "", 1).ok());                  // duplicate name
  EXPECT_FALSE(store.create("bad", "{\"Statement\": 1}", 1).ok());  // bad policy
  EXPECT_FALSE(store.create("", "", 1).ok());
  auto removed = store.remove("admin");
  ASSERT_TRUE(removed.ok());
  EXPECT_TRUE(*removed);
  auto again = store.remove(a->id);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  EXPECT_EQ(store.load()->size(), 1u);
}

TEST_F(KeyStoreTest, RefusesGroupReadableFile) {
  KeyStore store(dir_);
  ASSERT_TRUE(store.create("admin", "", 1).ok());
  ASSERT_EQ(::chmod(store.path().c_str(), 0644), 0);
  auto keys = store.load();
  ASSERT_FALSE(keys.ok());
  EXPECT_NE(keys.error().message.find("chmod 600"), std::string::npos);
}

TEST_F(KeyStoreTest, CacheSeesNewKeysAndPolicies) {
  KeyStore store(dir_);
  KeyCache cache{KeyStore(dir_)};
  ASSERT_TRUE(cache.refresh().ok());
  auto a = store.create("a", "", 1);
  ASSERT_TRUE(a.ok());
  auto entry = cache.find(a->id);
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->key.secret, a->secret);
  EXPECT_FALSE(entry->policy.has_value());
  auto b = store.create("b", R"({"Statement": {"Effect": "Deny", "Action": "*", "Resource": "*"}})", 2);
  ASSERT_TRUE(b.ok());
  auto eb = cache.find(b->id);
  ASSERT_NE(eb, nullptr);
  ASSERT_TRUE(eb->policy.has_value());
  EXPECT_EQ(eb->policy->evaluate("route53:GetHostedZone", "*"), Decision::ExplicitDeny);
  ASSERT_TRUE(store.remove("a").ok());
  EXPECT_EQ(cache.find(a->id), nullptr);
  EXPECT_EQ(cache.find("AKIANOPE"), nullptr);
}

}  // namespace
}  // namespace zk::api::auth
