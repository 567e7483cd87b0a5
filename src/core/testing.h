/* Test hooks: compiled into the library only with -DTT_TESTING (the test build's objects, build/asan/), and
 * declared only here, for tests. Without TT_TESTING the product has none of them: activations are always fused and
 * nothing is counted. */
#ifndef TT_TESTING_H
#define TT_TESTING_H

#ifdef TT_TESTING
/* Whether relu or tanh right after a dense or conv2d layer runs inside it (1, the product's behaviour) or as a
 * layer of its own (0): tests/c/test_fusion.c compares both bit for bit. Read when a model is created. */
extern int tt__fuse_activations;
/* The conv2d passes that took the sparse kernel (on dout's nonzeros or the input's): they give the dense kernels'
 * results bit for bit, so nothing else shows which path ran. */
extern unsigned tt__conv2d_sparse_calls;
#define TT__FUSE_ACTIVATIONS tt__fuse_activations
#define TT__COUNT_SPARSE_CALL() (tt__conv2d_sparse_calls++)
#else
#define TT__FUSE_ACTIVATIONS 1
#define TT__COUNT_SPARSE_CALL() ((void)0)
#endif

#endif
