package dev.bulwark.policy.value;

/**
 * A Cedar value: what an expression evaluates to, what an entity attribute or a context field
 * holds.
 *
 * <p>Equality is Cedar's: structural, and values of different types are simply unequal.
 */
public sealed interface Value
    permits BoolValue, LongValue, StringValue, EntityUid, SetValue, RecordValue, ExtensionValue {

  /** The value's type, as Cedar names it in error messages. */
  String typeName();
}
