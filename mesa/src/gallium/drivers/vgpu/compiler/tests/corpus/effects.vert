// Skinning-style dynamic indexing of a uniform array, a point size, and a fog factor.
uniform mat4 projection;
uniform vec4 offsets[8];
uniform float fog_density;
attribute vec4 position;
attribute vec2 texcoord;
attribute float bone;
varying vec2 uv;
varying float fog;
void main()
{
    vec4 p = position + offsets[int(bone)];
    gl_Position = projection * p;
    gl_PointSize = 4.0;
    uv = texcoord;
    fog = clamp(exp2(-fog_density * p.z * p.z), 0.0, 1.0);
}
