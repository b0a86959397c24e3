package dev.bulwark.policy.internal.ast;

/** A template slot. */
public enum SlotId {
  PRINCIPAL("?principal"),
  RESOURCE("?resource");

  private final String text;

  SlotId(String text) {
    this.text = text;
  }

  /** As written in Cedar. */
  public String text() {
    return text;
  }
}
