; The fragment-only opcodes and operands: varyings, fragment system values, derivatives, implicit-LOD
; and bias sampling, discard, colour and depth outputs.
.stage fragment
	ld.var.smooth r0, v0.x
	ld.var.noperspective r1, v15.y
	ld.var.flat r2, v3.w
	mov r3, sr.fragcoord.x
	mov r4, sr.fragcoord.y
	mov r5, sr.fragcoord.z
	mov r6, sr.fragcoord.w
	mov r7, sr.frontfacing
	mov r8, sr.laneid
	ddx r9, r0
	ddy r9, -r9
	ddx.fine r10, |r1|
	ddy.fine.sat r10, r10
	tex.2d r12, t0, s0, r0
	tex.2d.bias r12, t1, s2, r0, r3
	tex.cube.bias r12, t3, s4, r0, -0.5
	tex.2d.shadow r12, t5, s6, r0
	tex.cube r12, t7, s8, r0
	discardc r7
	if r8
		discard
	endif
	st.out color0.x, r12
	st.out color1.y, r13
	st.out color2.z, r14
	st.out color3.w, r15
	st.out depth, r5
	end
