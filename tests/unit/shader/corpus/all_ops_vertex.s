; Every opcode a vertex shader may use, with each operand form (modifiers, immediates, saturate).
.stage vertex
.regs 24
	ld.in r0, a0.x
	ld.in r1, a1.y
	ld.in r2, a15.w
	mov r3, sr.laneid
	mov r4, sr.vertexid
	mov r5, sr.instanceid
	mov r6, -|r0|
	mov.sat r6, r6
	mov r7, 0x3f800000
	sel r8, r3, r0, 0x40000000
	fadd r9, r0, -r1
	fmul.sat r9, |r9|, 0.5
	ffma r10, r0, r1, -r2
	ffma r10, r0, 1e-07, r2
	fmin r11, r0, -inf
	fmax r11, r11, 3.40282347e+38
	ffloor r12, r0
	fceil r12, -r12
	ftrunc r12, r12
	ffract r12, r12
	fround r12, r12
	fsqrt r13, |r1|
	frsq r13, r13
	frcp r13, r13
	fexp2 r13, r13
	flog2 r13, r13
	fsin r13, r13
	fcos r13, r13
	fsign r13, r13
	iadd r14, r3, -1
	isub r14, 7, r14
	imul r14, r14, r4
	imulhi r15, r14, r4
	umulhi r15, r15, 4294967295
	idiv r15, r15, r3
	udiv r15, r15, r3
	irem r15, r15, -3
	imod r15, r15, r3
	umod r15, r15, 10
	ineg r16, r15
	iabs r16, r16
	imin r16, r16, -2147483648
	imax r16, r16, r3
	umin r16, r16, r4
	umax r16, r16, 5
	ishl r17, r16, 3
	ishr r17, r17, r3
	ushr r17, r17, 1
	and r17, r17, 0x0000ffff
	or r17, r17, r3
	xor r17, r17, 0xffffffff
	not r17, r17
	f2i r18, -r0
	f2u r18, |r0|
	i2f r18, r18
	u2f.sat r18, r4
	feq r19, r0, r1
	fne r19, r0, 0.0
	flt r19, -r0, r1
	fge r19, r0, -0.0
	ieq r19, r3, 4
	ine r19, r3, r4
	ilt r19, r3, -5
	ige r19, r3, r4
	ult r19, r3, 8
	uge r19, r3, r4
	ld.ubo r20, ubo0[r3]
	ld.ubo r20, ubo15[r20 + 65532]
	ld.ubo r20, ubo2[256 + 4]
	mov r20, 2.0
	tex.2d.lod r20, t0, s1, r0, r20
	tex.cube.lod r20, t15, s15, r0, 0.5
	tex.2d.lod.shadow r20, t2, s3, r0, r1
	tex.cube.lod.shadow r20, t4, s5, r0, -1.0
	if r19
		loop
			breakc r3
			continuec r4
			if r3
				break
			else
				continue
			endif
		endloop
	else
		mov r21, 1
	endif
	st.out pos.x, r9
	st.out pos.y, r10
	st.out pos.z, r11
	st.out pos.w, 1.0
	st.out psize, r12
	st.out var0.x, r13
	st.out var15.w, r14
	st.out var7.z, -7
	end
