package dev.bulwark.audit.log;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;

/**
 * The Merkle tree of RFC 6962 section 2.1 over the log's leaf hashes, grown one leaf at a time.
 * Every complete, aligned subtree's hash is kept, so appending costs O(log n) amortised and the
 * root of any past size, an audit path (section 2.1.1) or a consistency proof (section 2.1.2) costs
 * O(log n) hashes. It keeps about two hashes per leaf in memory (64 bytes). Thread-safe.
 */
public final class MerkleTree {
  /** {@code levels.get(k)} holds the hashes of the aligned subtrees of {@code 2^k} leaves. */
  private final List<HashArray> levels = new ArrayList<>();

  private long size;

  public MerkleTree() {
    levels.add(new HashArray());
  }

  /** The leaf hash of {@code data}: {@code SHA-256(0x00 || data)}. */
  public static TreeHash leafHash(byte[] data) {
    return TreeHash.wrap(Sha256.leaf(requireNonNull(data, "data")));
  }

  /** Appends a leaf given its leaf hash (not the data). */
  public void append(TreeHash leafHash) {
    append(requireNonNull(leafHash, "leafHash").unsafeBytes());
  }

  synchronized void append(byte[] leafHash) {
    levels.get(0).add(leafHash);
    size++;
    int level = 0;
    while (levels.get(level).size() % 2 == 0) {
      HashArray hashes = levels.get(level);
      long last = hashes.size() - 1;
      byte[] node = Sha256.node(hashes.get(last - 1), hashes.get(last));
      if (levels.size() == level + 1) {
        levels.add(new HashArray());
      }
      levels.get(level + 1).add(node);
      level++;
    }
  }

  public synchronized long size() {
    return size;
  }

  /** The root over every leaf appended so far. */
  public synchronized TreeHash root() {
    return root(size);
  }

  /** The root the tree had when it held {@code treeSize} leaves (the empty tree's is H("")). */
  public synchronized TreeHash root(long treeSize) {
    checkSize("treeSize", treeSize);
    return TreeHash.wrap(treeSize == 0 ? Sha256.empty() : hash(0, treeSize));
  }

  /** The leaf hash at {@code index}. */
  public synchronized TreeHash leaf(long index) {
    if (index < 0 || index >= size) {
      throw new AuditException(
          AuditException.Code.INVALID_ARGUMENT,
          "leaf index " + index + " (expected: 0 to " + (size - 1) + ")");
    }
    return TreeHash.wrap(levels.get(0).get(index));
  }

  /** The audit path of leaf {@code index} in the tree of {@code treeSize} leaves (2.1.1). */
  public synchronized InclusionProof inclusionProof(long index, long treeSize) {
    checkSize("treeSize", treeSize);
    if (index < 0 || index >= treeSize) {
      throw new AuditException(
          AuditException.Code.INVALID_ARGUMENT,
          "sequence "
              + index
              + " (expected: 0 to "
              + (treeSize - 1)
              + " for tree size "
              + treeSize
              + ")");
    }
    List<TreeHash> path = new ArrayList<>();
    auditPath(index, 0, treeSize, path);
    return new InclusionProof(index, treeSize, leaf(index), path);
  }

  /** The proof that the tree of {@code oldSize} leaves is a prefix of that of {@code newSize}. */
  public synchronized ConsistencyProof consistencyProof(long oldSize, long newSize) {
    checkSize("newSize", newSize);
    if (oldSize < 1 || oldSize > newSize) {
      throw new AuditException(
          AuditException.Code.INVALID_ARGUMENT,
          "oldSize " + oldSize + " (expected: 1 to " + newSize + ")");
    }
    List<TreeHash> proof = new ArrayList<>();
    subproof(oldSize, 0, newSize, true, proof);
    return new ConsistencyProof(oldSize, newSize, proof);
  }

  private void checkSize(String name, long treeSize) {
    if (treeSize < 0 || treeSize > size) {
      throw new AuditException(
          AuditException.Code.INVALID_ARGUMENT,
          name + " " + treeSize + " (expected: 0 to " + size + ")");
    }
  }

  /** MTH(D[lo:hi]); in RFC 6962's recursion every left subtree is complete and aligned. */
  private byte[] hash(long lo, long hi) {
    long n = hi - lo;
    if (Long.bitCount(n) == 1 && lo % n == 0) {
      return levels.get(Long.numberOfTrailingZeros(n)).get(lo / n);
    }
    long k = largestPowerOfTwoBelow(n);
    return Sha256.node(hash(lo, lo + k), hash(lo + k, hi));
  }

  private void auditPath(long m, long lo, long hi, List<TreeHash> out) {
    long n = hi - lo;
    if (n == 1) {
      return;
    }
    long k = largestPowerOfTwoBelow(n);
    if (m - lo < k) {
      auditPath(m, lo, lo + k, out);
      out.add(TreeHash.wrap(hash(lo + k, hi)));
    } else {
      auditPath(m, lo + k, hi, out);
      out.add(TreeHash.wrap(hash(lo, lo + k)));
    }
  }

  private void subproof(long m, long lo, long hi, boolean complete, List<TreeHash> out) {
    long n = hi - lo;
    if (m == n) {
      if (!complete) {
        out.add(TreeHash.wrap(hash(lo, hi)));
      }
      return;
    }
    long k = largestPowerOfTwoBelow(n);
    if (m <= k) {
      subproof(m, lo, lo + k, complete, out);
      out.add(TreeHash.wrap(hash(lo + k, hi)));
    } else {
      subproof(m - k, lo + k, hi, false, out);
      out.add(TreeHash.wrap(hash(lo, lo + k)));
    }
  }

  /** The largest power of two strictly smaller than {@code n} (n at least 2). */
  static long largestPowerOfTwoBelow(long n) {
    return Long.highestOneBit(n - 1);
  }

  /** A growable array of 32-byte hashes in chunks, so growth never copies the whole array. */
  private static final class HashArray {
    private static final int CHUNK_HASHES = 1 << 14;
    private final List<byte[]> chunks = new ArrayList<>();
    private long size;

    void add(byte[] hash) {
      int offset = (int) (size % CHUNK_HASHES) * TreeHash.LENGTH;
      if (offset == 0) {
        chunks.add(new byte[CHUNK_HASHES * TreeHash.LENGTH]);
      }
      System.arraycopy(hash, 0, chunks.getLast(), offset, TreeHash.LENGTH);
      size++;
    }

    byte[] get(long index) {
      byte[] chunk = chunks.get((int) (index / CHUNK_HASHES));
      int offset = (int) (index % CHUNK_HASHES) * TreeHash.LENGTH;
      byte[] hash = new byte[TreeHash.LENGTH];
      System.arraycopy(chunk, offset, hash, 0, TreeHash.LENGTH);
      return hash;
    }

    long size() {
      return size;
    }
  }
}
