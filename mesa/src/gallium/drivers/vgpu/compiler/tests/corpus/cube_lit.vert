// A lit, vertex-coloured spinning cube: what kmscube's default mode asks of a vertex shader.
uniform mat4 modelview;
uniform mat4 modelview_projection;
uniform mat3 normal_matrix;
attribute vec4 position;
attribute vec3 normal;
attribute vec4 color;
varying vec4 lit_color;
void main()
{
    const vec3 light = vec3(2.0, 2.0, 20.0);
    gl_Position = modelview_projection * position;
    vec3 n = normal_matrix * normal;
    vec4 eye4 = modelview * position;
    vec3 to_light = normalize(light - eye4.xyz / eye4.w);
    lit_color = vec4(max(dot(n, to_light), 0.0) * color.rgb, 1.0);
}
