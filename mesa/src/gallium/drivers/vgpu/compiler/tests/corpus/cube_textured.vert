// The textured cube: lighting as in cube_lit, texture coordinates passed on.
uniform mat4 modelview;
uniform mat4 modelview_projection;
uniform mat3 normal_matrix;
attribute vec4 position;
attribute vec3 normal;
attribute vec2 texcoord;
varying vec2 uv;
varying float light;
void main()
{
    gl_Position = modelview_projection * position;
    vec3 n = normal_matrix * normal;
    vec4 eye4 = modelview * position;
    vec3 to_light = normalize(vec3(2.0, 2.0, 20.0) - eye4.xyz / eye4.w);
    light = max(dot(n, to_light), 0.0);
    uv = texcoord;
}
