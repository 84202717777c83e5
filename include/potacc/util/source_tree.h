// Where the build's source tree and default shared-data folder were, as
// compiled in. Only src/util/source_tree.cc sees the absolute paths (so that
// every other object file is independent of where the checkout lives, and
// compiler caches are shared between checkouts).
#pragma once

namespace potacc {

const char* CompiledSourceDir();       // the checkout potacc was built from
const char* CompiledDefaultDataDir();  // default POTACC_DATA (../shared/data beside the checkout)

}  // namespace potacc
