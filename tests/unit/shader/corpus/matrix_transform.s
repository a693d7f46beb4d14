; Vertex shader: clip position = M * position, M a column-major 4x4 matrix at the start of UBO 0;
; passes attribute 1 (texture coordinates) through as varying 0.
.stage vertex
	ld.in r0, a0.x
	ld.in r1, a0.y
	ld.in r2, a0.z
	ld.in r3, a0.w
	mov r4, 0
	; column 0 scaled by x, then each further column accumulated with ffma
	ld.ubo r5, ubo0[r4]
	ld.ubo r6, ubo0[r4 + 4]
	ld.ubo r7, ubo0[r4 + 8]
	ld.ubo r8, ubo0[r4 + 12]
	fmul r9, r5, r0
	fmul r10, r6, r0
	fmul r11, r7, r0
	fmul r12, r8, r0
	ld.ubo r5, ubo0[r4 + 16]
	ld.ubo r6, ubo0[r4 + 20]
	ld.ubo r7, ubo0[r4 + 24]
	ld.ubo r8, ubo0[r4 + 28]
	ffma r9, r5, r1, r9
	ffma r10, r6, r1, r10
	ffma r11, r7, r1, r11
	ffma r12, r8, r1, r12
	ld.ubo r5, ubo0[r4 + 32]
	ld.ubo r6, ubo0[r4 + 36]
	ld.ubo r7, ubo0[r4 + 40]
	ld.ubo r8, ubo0[r4 + 44]
	ffma r9, r5, r2, r9
	ffma r10, r6, r2, r10
	ffma r11, r7, r2, r11
	ffma r12, r8, r2, r12
	ld.ubo r5, ubo0[r4 + 48]
	ld.ubo r6, ubo0[r4 + 52]
	ld.ubo r7, ubo0[r4 + 56]
	ld.ubo r8, ubo0[r4 + 60]
	ffma r9, r5, r3, r9
	ffma r10, r6, r3, r10
	ffma r11, r7, r3, r11
	ffma r12, r8, r3, r12
	st.out pos.x, r9
	st.out pos.y, r10
	st.out pos.z, r11
	st.out pos.w, r12
	ld.in r0, a1.x
	ld.in r1, a1.y
	st.out var0.x, r0
	st.out var0.y, r1
	end
