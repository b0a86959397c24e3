package dev.bulwark.policy.schema;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

/** Schemas in the Cedar format that Cedar refuses, and the messages that say why and where. */
class SchemaRejectionTest {
  private static AbstractThrowableAssert<?, ? extends Throwable> rejecting(String text) {
    return assertThatThrownBy(() -> Schema.parseCedar(text)).isInstanceOf(SchemaException.class);
  }

  @Test
  void parseCedarWhenUndeclaredTypeThenNamesLineColumnAndCandidates() {
    rejecting("namespace N {\n  entity A { b: Missing };\n}")
        .hasMessage(
            "line 2, column 17: undeclared type Missing (expected: a declared common or entity type,"
                + " or a builtin; looked for N::Missing and Missing)");
  }

  @Test
  void parseCedarWhenUndeclaredParentTypeThenRejected() {
    rejecting("entity A in [B];")
        .hasMessageContaining("line 1, column 14: undeclared entity type B");
  }

  @Test
  void parseCedarWhenParentIsCommonTypeThenRejected() {
    rejecting("type B = String; entity A in [B];").hasMessageContaining("undeclared entity type B");
  }

  @Test
  void parseCedarWhenDuplicateEntityThenRejected() {
    rejecting("entity A;\nentity B, A;")
        .hasMessageContaining("line 2, column 11: duplicate declaration of entity type A")
        .hasMessageContaining("first at line 1, column 8");
  }

  @Test
  void parseCedarWhenDuplicateActionThenRejected() {
    rejecting("action a; action \"a\";")
        .hasMessageContaining("duplicate declaration of action Action::\"a\"");
  }

  @Test
  void parseCedarWhenDuplicateCommonTypeThenRejected() {
    rejecting("type T = Long; type T = String;")
        .hasMessageContaining("duplicate declaration of common type T");
  }

  @Test
  void parseCedarWhenDuplicateAttributeThenRejected() {
    rejecting("entity A { x: Long, x: String };")
        .hasMessageContaining("attribute x is declared twice");
  }

  @Test
  void parseCedarWhenCommonTypesFormACycleThenRejected() {
    rejecting("type A = { b: B };\ntype B = Set<A>;\nentity E { a: A };")
        .hasMessageContaining("common types form a cycle: A -> B -> A");
  }

  @Test
  void parseCedarWhenActionHierarchyHasACycleThenRejected() {
    rejecting("action a in b; action b in [c]; action c in a;")
        .hasMessageContaining("the action hierarchy has a cycle");
  }

  @Test
  void parseCedarWhenUndeclaredActionGroupThenRejected() {
    rejecting("action a in [\"nope\"];").hasMessageContaining("undeclared action Action::\"nope\"");
  }

  @Test
  void parseCedarWhenActionHasAttributesThenRejected() {
    rejecting("action a attributes { x: 1 };")
        .hasMessageContaining("action attributes are not supported");
  }

  @Test
  void parseCedarWhenAppliesToLacksResourceThenRejected() {
    rejecting("entity U; action a appliesTo { principal: U };")
        .hasMessageContaining("lacks resource");
  }

  @Test
  void parseCedarWhenContextIsNotARecordThenRejected() {
    rejecting("entity U; action a appliesTo { principal: U, resource: U, context: Set<Long> };")
        .hasMessageContaining("line 1, column 68")
        .hasMessageContaining("expected: a record type");
  }

  @Test
  void parseCedarWhenDeclarationShadowsEmptyNamespaceThenRejected() {
    rejecting("entity User; namespace N { entity User; }")
        .hasMessageContaining(
            "entity type N::User shadows entity type User of the empty namespace");
  }

  @Test
  void parseCedarWhenActionShadowsEmptyNamespaceActionThenRejected() {
    rejecting("action view; namespace N { action view; }").hasMessageContaining("shadows action");
  }

  @Test
  void parseCedarWhenCommonTypeNameIsReservedThenRejected() {
    rejecting("type Long = String;").hasMessageContaining("common type name Long is reserved");
  }

  @Test
  void parseCedarWhenUnknownBuiltinThenRejected() {
    rejecting("entity A { x: __cedar::Int };").hasMessageContaining("__cedar::Int");
  }

  @Test
  void parseCedarWhenReservedIdentifierAsTypeNameThenRejected() {
    rejecting("entity in;").hasMessageContaining("is reserved");
  }

  @Test
  void parseCedarWhenEnumIsEmptyOrRepeatsThenRejected() {
    rejecting("entity E enum [];").hasMessageContaining("has no ids");
    rejecting("entity E enum [\"a\", \"a\"];").hasMessageContaining("lists \"a\" twice");
  }

  @Test
  void parseCedarWhenSyntaxErrorThenNamesFoundAndExpected() {
    rejecting("entity A {\n  x Long };")
        .hasMessage("line 2, column 5: found 'Long' (expected: ':')");
    rejecting("entity A").hasMessageContaining("found end of input (expected: ';')");
    rejecting("entity A { x: \"str\" };").hasMessageContaining("expected: a type name");
    rejecting("entity A; $").hasMessageContaining("unexpected character '$'");
    rejecting("entity A { \"x: Long };").hasMessageContaining("unterminated string");
  }

  @Test
  void parseCedarWhenNamespaceRepeatedThenRejected() {
    rejecting("namespace N { entity A; } namespace N { entity B; }")
        .hasMessageContaining("namespace N is declared twice");
  }

  @Test
  void parseCedarWhenReservedWordUnquotedAsAttributeOrActionThenRejected() {
    rejecting("entity A { in: Long };").hasMessageContaining("in is a reserved word");
    rejecting("action if;").hasMessageContaining("if is a reserved word");
  }

  @Test
  void parseCedarWhenActionGroupListIsEmptyThenRejected() {
    rejecting("action a in [];").hasMessageContaining("found ']'");
  }

  @Test
  void parseCedarWhenNamespaceUsesCedarPrefixThenRejected() {
    rejecting("namespace __cedar { entity A; }").hasMessageContaining("reserved __cedar");
  }

  @Test
  void parseCedarWhenAnnotationRepeatedThenRejected() {
    rejecting("@doc(\"a\") @doc(\"b\") entity A;")
        .hasMessageContaining("annotation @doc is repeated");
  }

  @Test
  void parseCedarWhenCommonTypeNamedSetThenRejected() {
    rejecting("type Set = Long;").hasMessageContaining("common type name Set is reserved");
  }
}
