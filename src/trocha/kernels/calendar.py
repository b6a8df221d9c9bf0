"""The event calendar: for every day, the agents whose next event falls on it.

Each day's bucket is a chain of fixed-size chunks of agent slots, filled in scheduling order and
handled in reverse (last scheduled first). Walking a chunk reads agent ids from a contiguous array,
so the journeys kernel can ask the memory system for agents a few places ahead (`prefetch`) instead
of discovering the next agent only after loading the current one, as a linked list through the
people table would. Chunks of handled days go back to a free stack.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

CHUNK = 256  # agent slots per chunk


class Calendar(NamedTuple):
    """The calendar's arrays as the kernels see them."""

    day_chunk: np.ndarray  # int32 [day]: the day's last (filling) chunk, -1 if the day is empty
    chunk_prev: np.ndarray  # int32 [chunk]: the previous chunk of the same day, -1 if first
    chunk_fill: np.ndarray  # int32 [chunk]: slots used in the chunk
    slots: np.ndarray  # int32 [chunk * CHUNK + i]: agent slots
    free: np.ndarray  # int32 [i]: stack of free chunks
    free_top: np.ndarray  # int64 [1]: free chunks on the stack


class EventCalendar:
    """Owner of the calendar arrays; grows with the people table, outside the kernels.

    Every agent waits in at most one bucket, so `capacity / CHUNK` chunks plus one partly filled
    chunk per day (and one being handled) always suffice.
    """

    def __init__(self, n_days: int, capacity: int):
        self.n_days = n_days
        n = self._chunks_for(capacity)
        self.arrays = Calendar(
            day_chunk=np.full(n_days + 1, -1, dtype=np.int32),
            chunk_prev=np.full(n, -1, dtype=np.int32),
            chunk_fill=np.zeros(n, dtype=np.int32),
            slots=np.zeros(n * CHUNK, dtype=np.int32),
            free=np.arange(n - 1, -1, -1, dtype=np.int32),
            free_top=np.array([n], dtype=np.int64),
        )

    def _chunks_for(self, capacity: int) -> int:
        return -(-int(capacity) // CHUNK) + self.n_days + 4

    def reserve(self, capacity: int) -> None:
        """Make room for `capacity` agents in total."""
        old = self.arrays
        n_old, n = old.chunk_fill.shape[0], self._chunks_for(capacity)
        if n <= n_old:
            return
        top = int(old.free_top[0])
        free = np.empty(n, dtype=np.int32)
        free[: n - n_old] = np.arange(n - 1, n_old - 1, -1, dtype=np.int32)
        free[n - n_old : n - n_old + top] = old.free[:top]
        self.arrays = Calendar(
            day_chunk=old.day_chunk,
            chunk_prev=np.concatenate([old.chunk_prev, np.full(n - n_old, -1, dtype=np.int32)]),
            chunk_fill=np.concatenate([old.chunk_fill, np.zeros(n - n_old, dtype=np.int32)]),
            slots=np.concatenate([old.slots, np.zeros((n - n_old) * CHUNK, dtype=np.int32)]),
            free=free,
            free_top=np.array([n - n_old + top], dtype=np.int64),
        )

    def bucket(self, day: int) -> list[int]:
        """The agents waiting on `day`, in the order the kernel will handle them."""
        cal = self.arrays
        out: list[int] = []
        c = int(cal.day_chunk[day])
        while c >= 0:
            fill = int(cal.chunk_fill[c])
            out += [int(a) for a in cal.slots[c * CHUNK : c * CHUNK + fill][::-1]]
            c = int(cal.chunk_prev[c])
        return out


@njit(cache=True, inline="always")
def schedule(calendar, a, day):
    """Add agent `a` to the bucket of `day`."""
    c = calendar.day_chunk[day]
    if c < 0 or calendar.chunk_fill[c] == CHUNK:
        top = calendar.free_top[0] - 1
        if top < 0:
            raise RuntimeError("event calendar full")
        fresh = calendar.free[top]
        calendar.free_top[0] = top
        calendar.chunk_prev[fresh] = c
        calendar.chunk_fill[fresh] = 0
        calendar.day_chunk[day] = fresh
        c = fresh
    calendar.slots[c * CHUNK + calendar.chunk_fill[c]] = a
    calendar.chunk_fill[c] += 1


@njit(cache=True, inline="always")
def release(calendar, c):
    """Return a handled chunk to the free stack."""
    top = calendar.free_top[0]
    calendar.free[top] = c
    calendar.free_top[0] = top + 1


@intrinsic
def prefetch(typingctx, array, index):
    """Hint the CPU to start loading `array[index]` into cache (llvm.prefetch; no effect on
    results). Used a few agents ahead of the one being handled."""
    sig = types.void(array, index)

    def codegen(context, builder, signature, args):
        array_type = signature.args[0]
        view = context.make_array(array_type)(context, builder, args[0])
        pointer = cgutils.get_item_pointer(context, builder, array_type, view, [args[1]])
        byte_pointer = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        function = cgutils.get_or_insert_function(
            builder.module,
            ir.FunctionType(ir.VoidType(), [byte_pointer, i32, i32, i32]),
            "llvm.prefetch.p0i8",
        )
        # Write intent (the handler updates the record), high temporal locality, data cache.
        flags = [ir.Constant(i32, 1), ir.Constant(i32, 3), ir.Constant(i32, 1)]
        builder.call(function, [builder.bitcast(pointer, byte_pointer), *flags])
        return context.get_dummy_value()

    return sig, codegen
