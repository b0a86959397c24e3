package dev.bulwark.policy.differential;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** The types the generator gives attributes, context fields and expressions. */
sealed interface GenType {

  /** The type as Cedar schema text outside any namespace. */
  default String schemaText() {
    return schemaText("");
  }

  /** The type as Cedar schema text inside namespace {@code ns} ({@code ""} for none). */
  String schemaText(String ns);

  /** Bool, Long or String. */
  enum Prim implements GenType {
    BOOL("Bool"),
    LONG("Long"),
    STRING("String");

    private final String text;

    Prim(String text) {
      this.text = text;
    }

    @Override
    public String schemaText(String ns) {
      return text;
    }
  }

  /** The four extension types, with the constructor that makes each from a string. */
  enum Ext implements GenType {
    IPADDR("ipaddr", "ip"),
    DECIMAL("decimal", "decimal"),
    DATETIME("datetime", "datetime"),
    DURATION("duration", "duration");

    private final String text;
    private final String constructor;

    Ext(String text, String constructor) {
      this.text = text;
      this.constructor = constructor;
    }

    @Override
    public String schemaText(String ns) {
      return text;
    }

    String constructor() {
      return constructor;
    }
  }

  /** An entity of one type. */
  record Ent(String name) implements GenType {
    @Override
    public String schemaText(String ns) {
      return GenSchema.reference(name, ns);
    }
  }

  /** A set. */
  record SetOf(GenType element) implements GenType {
    @Override
    public String schemaText(String ns) {
      return "Set<" + element.schemaText(ns) + ">";
    }
  }

  /** A record, attributes in declaration order. */
  record Rec(Map<String, Attr> attrs) implements GenType {
    public Rec {
      attrs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(attrs));
    }

    @Override
    public String schemaText(String ns) {
      return attrs.entrySet().stream()
          .map(
              e ->
                  e.getKey()
                      + (e.getValue().required() ? "" : "?")
                      + ": "
                      + e.getValue().type().schemaText(ns))
          .collect(Collectors.joining(", ", "{", "}"));
    }
  }

  /** An attribute's type and whether it must be present. */
  record Attr(GenType type, boolean required) {}
}
