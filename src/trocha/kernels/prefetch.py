"""A cache prefetch hint for kernels that walk the people table in event order.

The day's events are a linked list through the people table, so each agent's record is a cache
miss that the processor cannot start until it has read the previous agent's link; when one
agent's event is long (a traveller's hops over a quiet stretch), the miss is not overlapped with
anything. Asking for the next agent's record as the current one starts hides it behind that
work. A hint only: it changes no value, and a processor may ignore it.
"""

from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

_I32 = ir.IntType(32)


@intrinsic
def prefetch(typingctx, array, index):
    """Hint that `array[index]` (a 1-d array's item, e.g. a people-table record) is read soon."""
    if not isinstance(array, types.Array) or array.ndim != 1:
        return None
    if not isinstance(index, types.Integer):
        return None

    def codegen(context, builder, signature, args):
        array_type = signature.args[0]
        data = context.make_array(array_type)(context, builder, args[0])
        item = cgutils.get_item_pointer(
            context, builder, array_type, data, [args[1]], wraparound=False
        )
        hint = ir.FunctionType(ir.VoidType(), [cgutils.voidptr_t, _I32, _I32, _I32])
        function = cgutils.get_or_insert_function(builder.module, hint, "llvm.prefetch.p0")
        # read (0), keep in all cache levels (3), data cache (1)
        pointer = builder.bitcast(item, cgutils.voidptr_t)
        builder.call(function, [pointer, _I32(0), _I32(3), _I32(1)])
        return context.get_dummy_value()

    return types.void(array, index), codegen
