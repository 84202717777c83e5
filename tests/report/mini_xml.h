// A strict little XML parser for tests: elements, attributes, text, the XML
// declaration and the five predefined entities. Throws std::runtime_error on
// anything malformed (unbalanced tags, unquoted attributes, bare '&' or '<').
#pragma once

#include <cctype>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace potacc::testing {

struct XmlNode {
  std::string name;
  std::map<std::string, std::string> attrs;
  std::vector<std::unique_ptr<XmlNode>> children;
  std::string text;

  // All descendants (depth first) with this element name.
  void FindAll(const std::string& n, std::vector<const XmlNode*>& out) const {
    for (const auto& c : children) {
      if (c->name == n) out.push_back(c.get());
      c->FindAll(n, out);
    }
  }
};

class MiniXml {
 public:
  static std::unique_ptr<XmlNode> Parse(const std::string& s) {
    MiniXml p(s);
    p.SkipProlog();
    auto root = p.Element();
    p.SkipSpace();
    if (p.i_ != s.size()) throw std::runtime_error("content after the root element");
    return root;
  }

 private:
  explicit MiniXml(const std::string& s) : s_(s) {}

  [[noreturn]] void Fail(const std::string& what) const {
    throw std::runtime_error(what + " at offset " + std::to_string(i_));
  }
  void SkipSpace() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  bool Starts(const char* t) const { return s_.compare(i_, std::char_traits<char>::length(t), t) == 0; }
  void SkipProlog() {
    SkipSpace();
    if (Starts("<?xml")) {
      const auto e = s_.find("?>", i_);
      if (e == std::string::npos) Fail("unterminated XML declaration");
      i_ = e + 2;
    }
    SkipSpace();
  }
  std::string Name() {
    const size_t b = i_;
    while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '-' ||
                              s_[i_] == '_' || s_[i_] == ':' || s_[i_] == '.'))
      ++i_;
    if (b == i_) Fail("expected a name");
    return s_.substr(b, i_ - b);
  }
  std::string Decode(const std::string& raw) {
    std::string out;
    for (size_t k = 0; k < raw.size(); ++k) {
      if (raw[k] == '<') Fail("bare '<' in text or attribute");
      if (raw[k] != '&') {
        out += raw[k];
        continue;
      }
      const auto e = raw.find(';', k);
      if (e == std::string::npos) Fail("bare '&'");
      const std::string ent = raw.substr(k + 1, e - k - 1);
      if (ent == "amp") out += '&';
      else if (ent == "lt") out += '<';
      else if (ent == "gt") out += '>';
      else if (ent == "quot") out += '"';
      else if (ent == "apos") out += '\'';
      else Fail("unknown entity &" + ent + ";");
      k = e;
    }
    return out;
  }
  std::unique_ptr<XmlNode> Element() {
    if (i_ >= s_.size() || s_[i_] != '<') Fail("expected '<'");
    ++i_;
    auto node = std::make_unique<XmlNode>();
    node->name = Name();
    for (;;) {
      SkipSpace();
      if (Starts("/>")) {
        i_ += 2;
        return node;
      }
      if (Starts(">")) {
        ++i_;
        break;
      }
      const std::string key = Name();
      SkipSpace();
      if (i_ >= s_.size() || s_[i_] != '=') Fail("expected '=' after attribute " + key);
      ++i_;
      SkipSpace();
      if (i_ >= s_.size() || (s_[i_] != '"' && s_[i_] != '\'')) Fail("unquoted attribute " + key);
      const char q = s_[i_++];
      const auto e = s_.find(q, i_);
      if (e == std::string::npos) Fail("unterminated attribute");
      if (node->attrs.count(key)) Fail("duplicate attribute " + key);
      node->attrs[key] = Decode(s_.substr(i_, e - i_));
      i_ = e + 1;
    }
    for (;;) {
      const auto lt = s_.find('<', i_);
      if (lt == std::string::npos) Fail("unterminated element " + node->name);
      node->text += Decode(s_.substr(i_, lt - i_));
      i_ = lt;
      if (Starts("</")) {
        i_ += 2;
        if (Name() != node->name) Fail("mismatched closing tag for " + node->name);
        SkipSpace();
        if (i_ >= s_.size() || s_[i_] != '>') Fail("expected '>'");
        ++i_;
        return node;
      }
      node->children.push_back(Element());
    }
  }

  const std::string& s_;
  size_t i_ = 0;
};

}  // namespace potacc::testing
