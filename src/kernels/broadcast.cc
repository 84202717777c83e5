#include "potacc/kernels/broadcast.h"

#include <algorithm>

namespace potacc::kernels {

bool BroadcastsTo(const std::vector<int32_t>& a, const std::vector<int32_t>& b,
                  const std::vector<int32_t>& out) {
  if (a.size() > out.size() || b.size() > out.size()) return false;
  const size_t rank = out.size();
  for (size_t i = 0; i < rank; ++i) {
    const int32_t o = out[rank - 1 - i];
    const int32_t da = i < a.size() ? a[a.size() - 1 - i] : 1;
    const int32_t db = i < b.size() ? b[b.size() - 1 - i] : 1;
    if (da != o && da != 1) return false;
    if (db != o && db != 1) return false;
    // The output extent must come from an operand (or all are 1).
    if (o != std::max(da, db) && !(o == 0 && (da == 0 || db == 0))) return false;
  }
  return true;
}

}  // namespace potacc::kernels
