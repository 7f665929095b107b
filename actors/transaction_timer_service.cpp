#include "actors/transaction_timer_service.hpp"

#include <algorithm>

namespace sipactor {

void transaction_timer_service::remove_slot(timed_transaction& t, std::size_t i) {
  by_deadline_.erase(t.timers[i].second);
  t.timers[i] = t.timers[t.count - 1];
  --t.count;
}

void transaction_timer_service::schedule(const schedule_timer& request) {
  if (!request.transaction) return;
  auto [at, inserted] = by_transaction_.try_emplace(request.transaction.id());
  timed_transaction& t = at->second;
  if (inserted) t.handle = request.transaction;
  for (std::size_t i = 0; i < t.count; ++i) {
    if (t.timers[i].first == request.timer) {
      remove_slot(t, i);
      break;
    }
  }
  // More timers than any machine arms at once: the earliest is superseded by the state machine
  // anyway (its generation moved on); drop it rather than grow.
  if (t.count == max_timers) {
    std::size_t earliest = 0;
    for (std::size_t i = 1; i < t.count; ++i)
      if (t.timers[i].second->first < t.timers[earliest].second->first) earliest = i;
    remove_slot(t, earliest);
  }
  auto pos = by_deadline_.emplace(request.deadline, entry{request.transaction.id(), request.timer, request.generation});
  t.timers[t.count++] = {request.timer, pos};
}

void transaction_timer_service::forget(caf::actor_id transaction) {
  auto at = by_transaction_.find(transaction);
  if (at == by_transaction_.end()) return;
  for (std::size_t i = 0; i < at->second.count; ++i) by_deadline_.erase(at->second.timers[i].second);
  by_transaction_.erase(at);
}

std::vector<transaction_timer_service::due_timer> transaction_timer_service::expire(time_point now) {
  std::vector<due_timer> due;
  while (!by_deadline_.empty() && by_deadline_.begin()->first <= now) {
    auto first = by_deadline_.begin();
    entry e = first->second;
    auto at = by_transaction_.find(e.transaction);
    if (at == by_transaction_.end()) {  // cannot happen: forget() removes the entries too
      by_deadline_.erase(first);
      continue;
    }
    timed_transaction& t = at->second;
    due.push_back({t.handle, e.timer, e.generation});
    for (std::size_t i = 0; i < t.count; ++i) {
      if (t.timers[i].second == first) {
        remove_slot(t, i);
        break;
      }
    }
    // The handle stays until the transaction terminates (or re-arms); a transaction without
    // pending timers keeps only this map entry.
  }
  return due;
}

std::vector<caf::actor> transaction_timer_service::handles() const {
  std::vector<caf::actor> out;
  out.reserve(by_transaction_.size());
  for (const auto& [id, t] : by_transaction_) out.push_back(t.handle);
  return out;
}

transaction_timer_service::time_point transaction_timer_service::next_deadline() const noexcept {
  return by_deadline_.empty() ? time_point::max() : by_deadline_.begin()->first;
}

std::optional<transaction_timer_service::time_point> transaction_timer_service::plan_wake(time_point now) {
  time_point next = next_deadline();
  if (next == time_point::max() || next >= wake_at_) return std::nullopt;
  next = std::max(next, now + spacing_);
  if (next >= wake_at_) return std::nullopt;
  wake_at_ = next;
  return next;
}

std::vector<transaction_timer_service::due_timer> transaction_timer_service::woken(time_point planned, time_point now) {
  if (planned == wake_at_) wake_at_ = time_point::max();
  return expire(now);
}

}  // namespace sipactor
