#include "actors/transaction_timer_service.hpp"

#include <algorithm>

namespace sipactor {

void transaction_timer_service::remove_slot(timed_transaction& t, std::size_t i) {
  t.timers[i] = t.timers[t.count - 1];
  --t.count;
  --live_timers_;
}

bool transaction_timer_service::live(const entry& e) const {
  auto at = by_transaction_.find(e.transaction);
  if (at == by_transaction_.end()) return false;
  const timed_transaction& t = at->second;
  for (std::size_t i = 0; i < t.count; ++i)
    if (t.timers[i].serial == e.serial) return true;
  return false;
}

void transaction_timer_service::pop_top() {
  std::pop_heap(heap_.begin(), heap_.end(), later{});
  heap_.pop_back();
}

void transaction_timer_service::drop_stale_top() {
  while (!heap_.empty() && !live(heap_.front())) pop_top();
  // Stale entries below the top wait for their deadline; when they outnumber the live ones
  // (many transactions forgotten before their timers), rebuild without them.
  if (heap_.size() > 1024 && heap_.size() > 4 * live_timers_) {
    heap_.erase(std::remove_if(heap_.begin(), heap_.end(), [this](const entry& e) { return !live(e); }), heap_.end());
    std::make_heap(heap_.begin(), heap_.end(), later{});
  }
}

void transaction_timer_service::schedule(const schedule_timer& request) {
  if (!request.transaction) return;
  auto [at, inserted] = by_transaction_.try_emplace(request.transaction.id());
  timed_transaction& t = at->second;
  if (inserted) t.handle = request.transaction;
  for (std::size_t i = 0; i < t.count; ++i) {
    if (t.timers[i].timer == request.timer) {
      remove_slot(t, i);
      break;
    }
  }
  // More timers than any machine arms at once: the earliest is superseded by the state machine
  // anyway (its generation moved on); drop it rather than grow.
  if (t.count == max_timers) {
    std::size_t earliest = 0;
    for (std::size_t i = 1; i < t.count; ++i)
      if (t.timers[i].deadline < t.timers[earliest].deadline) earliest = i;
    remove_slot(t, earliest);
  }
  const std::uint64_t serial = next_serial_++;
  t.timers[t.count++] = {request.timer, serial, request.deadline};
  ++live_timers_;
  heap_.push_back(entry{request.deadline, serial, request.transaction.id(), request.timer, request.generation});
  std::push_heap(heap_.begin(), heap_.end(), later{});
  drop_stale_top();  // the replaced timer may have been the top
}

void transaction_timer_service::forget(caf::actor_id transaction) {
  auto at = by_transaction_.find(transaction);
  if (at == by_transaction_.end()) return;
  live_timers_ -= at->second.count;
  by_transaction_.erase(at);
  drop_stale_top();
}

std::vector<transaction_timer_service::due_timer> transaction_timer_service::expire(time_point now) {
  std::vector<due_timer> due;
  while (!heap_.empty() && heap_.front().deadline <= now) {
    entry e = heap_.front();
    pop_top();
    timed_transaction& t = by_transaction_.find(e.transaction)->second;  // the top is live
    due.push_back({t.handle, e.timer, e.generation});
    for (std::size_t i = 0; i < t.count; ++i) {
      if (t.timers[i].serial == e.serial) {
        remove_slot(t, i);
        break;
      }
    }
    // The handle stays until the transaction terminates (or re-arms); a transaction without
    // pending timers keeps only this map entry.
    drop_stale_top();
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
  return heap_.empty() ? time_point::max() : heap_.front().deadline;
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
