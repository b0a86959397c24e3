package dev.bulwark.audit.log;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The checkpoints file as read: complete lines parsed, a torn last line measured, or a problem. */
record CheckpointFile(List<SignedTreeHead> heads, long tornBytes, Optional<String> problem) {
  static CheckpointFile read(Path file) throws IOException {
    if (!Files.exists(file)) {
      return new CheckpointFile(List.of(), 0, Optional.empty());
    }
    byte[] bytes = Files.readAllBytes(file);
    int lastNewline = -1;
    for (int i = bytes.length - 1; i >= 0; i--) {
      if (bytes[i] == '\n') {
        lastNewline = i;
        break;
      }
    }
    long torn = bytes.length - (lastNewline + 1);
    String text = new String(bytes, 0, lastNewline + 1, StandardCharsets.UTF_8);
    List<SignedTreeHead> heads = new ArrayList<>();
    int lineNumber = 0;
    long previousSize = 0;
    for (String line : text.split("\n", -1)) {
      lineNumber++;
      if (line.isEmpty()) {
        continue;
      }
      SignedTreeHead head;
      try {
        head = SignedTreeHead.fromJson(line);
      } catch (IllegalArgumentException e) {
        return new CheckpointFile(
            heads,
            torn,
            Optional.of("checkpoint line " + lineNumber + " unreadable: " + e.getMessage()));
      }
      if (head.treeSize() < previousSize) {
        return new CheckpointFile(
            heads,
            torn,
            Optional.of(
                "checkpoint line "
                    + lineNumber
                    + ": size "
                    + head.treeSize()
                    + " after a checkpoint of "
                    + previousSize
                    + " (checkpoints only grow)"));
      }
      previousSize = head.treeSize();
      heads.add(head);
    }
    return new CheckpointFile(List.copyOf(heads), torn, Optional.empty());
  }
}
