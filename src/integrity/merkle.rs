//! The RFC 9162 (Certificate Transparency v2) Merkle tree: roots of any size, inclusion and
//! consistency proofs, and their verification. Pure code over a source of perfect subtree
//! hashes, so the same functions run on a tree in memory and on the nodes kept in the store.

use sha2::{Digest, Sha256};

/// A SHA-256 hash.
pub type Hash = [u8; 32];

/// `SHA-256(0x00 || entry)`: the hash of one leaf.
pub fn leaf_hash(entry: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(entry);
    h.finalize().into()
}

/// `SHA-256(0x01 || left || right)`: an interior node.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The root of the empty tree: the hash of nothing.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// Hashes of perfect subtrees: `node(level, index)` is the root of leaves
/// `index·2^level .. (index+1)·2^level`, defined wherever those leaves exist.
pub trait Nodes {
    fn node(&self, level: u32, index: u64) -> anyhow::Result<Hash>;
}

/// The largest power of two smaller than `n` (n ≥ 2): where RFC 9162 splits a tree of n.
fn split(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1 << (63 - (n - 1).leading_zeros())
}

/// MTH(D[start:end]): the hash of a range as RFC 9162 defines it. Every left part of the
/// recursion is a perfect, aligned subtree, so at most O(log n) stored nodes are read.
pub fn range_hash(nodes: &dyn Nodes, start: u64, end: u64) -> anyhow::Result<Hash> {
    let n = end - start;
    if n == 0 {
        return Ok(empty_root());
    }
    if n.is_power_of_two() && start.is_multiple_of(n) {
        return nodes.node(n.trailing_zeros(), start / n);
    }
    let k = split(n);
    Ok(node_hash(
        &range_hash(nodes, start, start + k)?,
        &range_hash(nodes, start + k, end)?,
    ))
}

/// The root of the tree of the first `size` leaves.
pub fn root(nodes: &dyn Nodes, size: u64) -> anyhow::Result<Hash> {
    range_hash(nodes, 0, size)
}

/// PATH(m, D[0:size]): the inclusion proof of leaf `index` in the tree of `size` leaves.
pub fn inclusion_proof(nodes: &dyn Nodes, index: u64, size: u64) -> anyhow::Result<Vec<Hash>> {
    anyhow::ensure!(index < size, "leaf {index} is not in a tree of {size}");
    let mut proof = Vec::new();
    path(nodes, index, 0, size, &mut proof)?;
    Ok(proof)
}

fn path(
    nodes: &dyn Nodes,
    m: u64,
    start: u64,
    end: u64,
    out: &mut Vec<Hash>,
) -> anyhow::Result<()> {
    let n = end - start;
    if n <= 1 {
        return Ok(());
    }
    let k = split(n);
    if m < k {
        path(nodes, m, start, start + k, out)?;
        out.push(range_hash(nodes, start + k, end)?);
    } else {
        path(nodes, m - k, start + k, end, out)?;
        out.push(range_hash(nodes, start, start + k)?);
    }
    Ok(())
}

/// PROOF(m, D[0:n]): the consistency proof from the tree of `m` leaves to the tree of `n`.
pub fn consistency_proof(nodes: &dyn Nodes, m: u64, n: u64) -> anyhow::Result<Vec<Hash>> {
    anyhow::ensure!(m <= n, "a tree of {m} cannot be a prefix of a tree of {n}");
    let mut proof = Vec::new();
    if m > 0 && m < n {
        subproof(nodes, m, 0, n, true, &mut proof)?;
    }
    Ok(proof)
}

fn subproof(
    nodes: &dyn Nodes,
    m: u64,
    start: u64,
    end: u64,
    whole: bool,
    out: &mut Vec<Hash>,
) -> anyhow::Result<()> {
    let n = end - start;
    if m == n {
        if !whole {
            out.push(range_hash(nodes, start, end)?);
        }
        return Ok(());
    }
    let k = split(n);
    if m <= k {
        subproof(nodes, m, start, start + k, whole, out)?;
        out.push(range_hash(nodes, start + k, end)?);
    } else {
        subproof(nodes, m - k, start + k, end, false, out)?;
        out.push(range_hash(nodes, start, start + k)?);
    }
    Ok(())
}

/// RFC 9162 section 2.1.3.2: whether `proof` shows `leaf` at `index` in the tree of `size`
/// leaves with `root`.
pub fn verify_inclusion(index: u64, size: u64, leaf: &Hash, proof: &[Hash], root: &Hash) -> bool {
    if index >= size {
        return false;
    }
    let (mut f_n, mut s_n) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if s_n == 0 {
            return false;
        }
        if f_n & 1 == 1 || f_n == s_n {
            r = node_hash(p, &r);
            if f_n & 1 == 0 {
                while f_n & 1 == 0 && f_n != 0 {
                    f_n >>= 1;
                    s_n >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        f_n >>= 1;
        s_n >>= 1;
    }
    s_n == 0 && r == *root
}

/// RFC 9162 section 2.1.4.2: whether `proof` shows that the tree of `size1` leaves with
/// `root1` is a prefix of the tree of `size2` leaves with `root2`.
pub fn verify_consistency(
    size1: u64,
    size2: u64,
    root1: &Hash,
    root2: &Hash,
    proof: &[Hash],
) -> bool {
    if size1 > size2 {
        return false;
    }
    if size1 == size2 {
        return proof.is_empty() && root1 == root2;
    }
    if size1 == 0 {
        return proof.is_empty();
    }
    let mut proof: Vec<Hash> = proof.to_vec();
    if size1.is_power_of_two() {
        proof.insert(0, *root1);
    }
    let Some((first, rest)) = proof.split_first() else {
        return false;
    };
    let (mut f_n, mut s_n) = (size1 - 1, size2 - 1);
    while f_n & 1 == 1 {
        f_n >>= 1;
        s_n >>= 1;
    }
    let (mut f_r, mut s_r) = (*first, *first);
    for c in rest {
        if s_n == 0 {
            return false;
        }
        if f_n & 1 == 1 || f_n == s_n {
            f_r = node_hash(c, &f_r);
            s_r = node_hash(c, &s_r);
            if f_n & 1 == 0 {
                while f_n & 1 == 0 && f_n != 0 {
                    f_n >>= 1;
                    s_n >>= 1;
                }
            }
        } else {
            s_r = node_hash(&s_r, c);
        }
        f_n >>= 1;
        s_n >>= 1;
    }
    f_r == *root1 && s_r == *root2 && s_n == 0
}

/// A whole tree in memory, level by level: for tests, and for recomputing a tree from leaves.
#[derive(Debug, Default, Clone)]
pub struct MemoryTree {
    levels: Vec<Vec<Hash>>,
}

impl MemoryTree {
    pub fn from_leaves(leaves: impl IntoIterator<Item = Hash>) -> MemoryTree {
        let mut tree = MemoryTree::default();
        for leaf in leaves {
            tree.push(leaf);
        }
        tree
    }

    /// Appends a leaf and the perfect nodes it completes: O(log n) hashing.
    pub fn push(&mut self, leaf: Hash) {
        let mut node = leaf;
        let mut level = 0;
        loop {
            if self.levels.len() == level {
                self.levels.push(Vec::new());
            }
            self.levels[level].push(node);
            let index = self.levels[level].len() - 1;
            if index.is_multiple_of(2) {
                return;
            }
            node = node_hash(&self.levels[level][index - 1], &node);
            level += 1;
        }
    }

    pub fn size(&self) -> u64 {
        self.levels.first().map_or(0, |l| l.len() as u64)
    }
}

impl Nodes for MemoryTree {
    fn node(&self, level: u32, index: u64) -> anyhow::Result<Hash> {
        self.levels
            .get(level as usize)
            .and_then(|l| l.get(index as usize))
            .copied()
            .ok_or_else(|| anyhow::anyhow!("no tree node at level {level}, index {index}"))
    }
}

/// The roots of every prefix of a stream of leaves, kept as the perfect subtrees along its
/// right edge: O(log n) memory and hashing per leaf.
#[derive(Default)]
pub struct Frontier {
    levels: Vec<Option<Hash>>,
    size: u64,
}

impl Frontier {
    /// The frontier of a stored tree of `size` leaves, from its nodes: the perfect subtree at
    /// each level where `size` has a bit, so that pushing goes on where the tree stops.
    pub fn resume(size: u64, nodes: &dyn Nodes) -> anyhow::Result<Frontier> {
        let levels = (0..64 - size.leading_zeros())
            .map(|level| {
                ((size >> level) & 1 == 1)
                    .then(|| nodes.node(level, (size >> level) - 1))
                    .transpose()
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(Frontier { levels, size })
    }

    /// How many leaves were pushed (or the tree resumed had).
    pub fn size(&self) -> u64 {
        self.size
    }

    pub fn push(&mut self, leaf: Hash) {
        self.push_seeing(leaf, &mut |_, _, _| {});
    }

    /// `push`, calling `each` with every perfect subtree it completes: (level, index, hash),
    /// the leaf itself at level 0 — the nodes the store's tree must hold.
    pub fn push_seeing(&mut self, leaf: Hash, each: &mut dyn FnMut(u32, u64, &Hash)) {
        let leaf_index = self.size;
        let mut node = leaf;
        each(0, leaf_index, &node);
        let mut level = 0;
        for slot in self.levels.iter_mut() {
            match slot.take() {
                Some(left) => {
                    node = node_hash(&left, &node);
                    level += 1;
                    each(level, leaf_index >> level, &node);
                }
                None => {
                    *slot = Some(node);
                    self.size += 1;
                    return;
                }
            }
        }
        self.levels.push(Some(node));
        self.size += 1;
    }

    /// MTH of the leaves so far: the subtrees folded from the smallest up.
    pub fn root(&self) -> Hash {
        let mut acc: Option<Hash> = None;
        for node in self.levels.iter().flatten() {
            acc = Some(match acc {
                None => *node,
                Some(right) => node_hash(node, &right),
            });
        }
        acc.unwrap_or_else(empty_root)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// MTH as RFC 9162 writes it, straight from the leaves, with no stored nodes.
    fn brute_root(leaves: &[Hash]) -> Hash {
        match leaves.len() {
            0 => empty_root(),
            1 => leaves[0],
            n => {
                let k = split(n as u64) as usize;
                node_hash(&brute_root(&leaves[..k]), &brute_root(&leaves[k..]))
            }
        }
    }

    fn hex(h: &Hash) -> String {
        h.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The leaves of the RFC 6962 / CT reference test vectors (certificate-transparency-go
    /// merkletree tests): eight inputs of increasing length.
    fn vector_leaves() -> Vec<Hash> {
        [
            "",
            "00",
            "10",
            "2021",
            "3031",
            "40414243",
            "5051525354555657",
            "606162636465666768696a6b6c6d6e6f",
        ]
        .iter()
        .map(|s| {
            let bytes: Vec<u8> = (0..s.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
                .collect();
            leaf_hash(&bytes)
        })
        .collect()
    }

    #[test]
    fn roots_match_the_reference_vectors() {
        let expected = [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
        ];
        let leaves = vector_leaves();
        let tree = MemoryTree::from_leaves(leaves.clone());
        for (i, want) in expected.iter().enumerate() {
            assert_eq!(
                hex(&root(&tree, i as u64 + 1).unwrap()),
                *want,
                "size {}",
                i + 1
            );
        }
        assert_eq!(
            hex(&empty_root()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn proofs_match_the_reference_vectors() {
        let tree = MemoryTree::from_leaves(vector_leaves());
        let hexes = |p: Vec<Hash>| p.iter().map(hex).collect::<Vec<_>>();
        // Inclusion of leaf 0 in the tree of 8, and of leaf 5 in the tree of 8.
        assert_eq!(
            hexes(inclusion_proof(&tree, 0, 8).unwrap()),
            vec![
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ]
        );
        assert_eq!(
            hexes(inclusion_proof(&tree, 5, 8).unwrap()),
            vec![
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ]
        );
        // Consistency from 1 to 8, 6 to 8 and 2 to 5.
        assert_eq!(
            hexes(consistency_proof(&tree, 1, 8).unwrap()),
            vec![
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ]
        );
        assert_eq!(
            hexes(consistency_proof(&tree, 6, 8).unwrap()),
            vec![
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ]
        );
        assert_eq!(
            hexes(consistency_proof(&tree, 2, 5).unwrap()),
            vec![
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ]
        );
    }

    proptest! {
        /// Roots from stored nodes equal the brute-force recursion; every inclusion and
        /// consistency proof verifies, and fails for a wrong leaf or root.
        #[test]
        fn proofs_verify_against_brute_force(n in 1usize..70, picks in prop::collection::vec(any::<u64>(), 4)) {
            let leaves: Vec<Hash> = (0..n as u32).map(|i| leaf_hash(&i.to_be_bytes())).collect();
            let tree = MemoryTree::from_leaves(leaves.clone());
            let size = 1 + picks[0] % n as u64;
            let want = brute_root(&leaves[..size as usize]);
            prop_assert_eq!(root(&tree, size).unwrap(), want);

            let index = picks[1] % size;
            let proof = inclusion_proof(&tree, index, size).unwrap();
            prop_assert!(verify_inclusion(index, size, &leaves[index as usize], &proof, &want));
            prop_assert!(!verify_inclusion(index, size, &leaf_hash(b"forged"), &proof, &want));
            if size > 1 {
                prop_assert!(!verify_inclusion((index + 1) % size, size, &leaves[index as usize], &proof, &want));
            }

            let small = 1 + picks[2] % size;
            let small_root = brute_root(&leaves[..small as usize]);
            let proof = consistency_proof(&tree, small, size).unwrap();
            prop_assert!(verify_consistency(small, size, &small_root, &want, &proof));
            if small < size {
                let wrong = leaf_hash(b"other history");
                prop_assert!(!verify_consistency(small, size, &wrong, &want, &proof));
                prop_assert!(!verify_consistency(small, size, &small_root, &wrong, &proof));
            }
        }
    }
}
